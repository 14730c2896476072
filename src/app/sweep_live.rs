//! A sweep on screen: its result (growing point by point while it trains, or read from a file),
//! the analysis its views draw, and the study view of one point. Events carry a global arm
//! index (point x arms per point + arm); a point's runs are judged with the same
//! `trainability` the library applies at the end, so the cells fill in as points finish.

use super::Live;
use super::live::apply_event;
use crate::report::sweep::analysis::{SweepAnalysis, analyze_sweep};
use crate::study::sweep::{PointJudge, SweepEstimate};
use crate::study::{PointResult, RunResult, SweepResult, summarize};
use crate::train::TrainEvent;

/// A sweep's result and what the views draw from it.
pub struct SweepRun {
    pub result: SweepResult,
    pub analysis: SweepAnalysis,
    /// The size and time estimate made before training (absent for a result read from a file).
    pub estimate: Option<SweepEstimate>,
    /// Per point, while training: how to judge its runs (empty once the result is final).
    judges: Vec<PointJudge>,
    /// Points whose runs changed since the analysis was made.
    dirty: Vec<bool>,
    arms_per_point: usize,
    /// Bumped whenever the analysis is remade (the point view is cached against it).
    generation: u64,
    point_cache: Option<(usize, u64, Live)>,
}

impl SweepRun {
    /// A finished (or stopped) sweep, as `run_sweep` returned it or a results file holds it.
    pub fn finished(result: SweepResult, estimate: Option<SweepEstimate>) -> Self {
        let analysis = analyze_sweep(&result);
        let arms_per_point = result.spec.arms().len();
        Self {
            dirty: vec![false; result.points.len()],
            result,
            analysis,
            estimate,
            judges: Vec::new(),
            arms_per_point,
            generation: 0,
            point_cache: None,
        }
    }

    /// A sweep about to train: every point present with empty runs.
    pub fn live(
        spec: crate::study::StudySpec,
        points: Vec<(PointResult, PointJudge)>,
        estimate: SweepEstimate,
    ) -> Self {
        let (points, judges): (Vec<_>, Vec<_>) = points.into_iter().unzip();
        let result = SweepResult {
            environment: crate::study::Environment::current(1),
            spec,
            points,
            wall_seconds: 0.0,
            completed: false,
            verdict: None,
        };
        let mut run = Self::finished(result, Some(estimate));
        run.judges = judges;
        run
    }

    pub fn is_live(&self) -> bool {
        !self.judges.is_empty()
    }

    /// The point of a global arm index, and the arm within it.
    fn locate(&self, global: usize) -> Option<(usize, usize)> {
        let n = self.arms_per_point.max(1);
        (global / n < self.result.points.len()).then_some((global / n, global % n))
    }

    /// Applies one training event (step counts are the progress bar's, not ours).
    pub fn on_event(&mut self, e: TrainEvent) {
        let arm = match &e {
            TrainEvent::Epoch { arm, .. }
            | TrainEvent::Diverged { arm, .. }
            | TrainEvent::InitialHistograms { arm, .. }
            | TrainEvent::Diagnostics { arm, .. } => *arm,
            TrainEvent::Steps { .. } => return,
        };
        let Some((p, a)) = self.locate(arm) else {
            return;
        };
        let Some(run) = self.result.points[p].result.runs.get_mut(a) else {
            return;
        };
        apply_event(run, e);
        self.dirty[p] = true;
    }

    /// Re-judges the points that changed and remakes the analysis (once per frame at most,
    /// and only when something arrived).
    pub fn refresh(&mut self) {
        if !self.dirty.iter().any(|d| *d) {
            return;
        }
        let rule = self
            .result
            .spec
            .sweep
            .as_ref()
            .map(|s| s.rule)
            .unwrap_or_default();
        let names = self.result.spec.initializer_names();
        for (p, point) in self.result.points.iter_mut().enumerate() {
            if !std::mem::take(&mut self.dirty[p]) {
                continue;
            }
            let Some(judge) = self.judges.get(p) else {
                continue;
            };
            let r = &mut point.result;
            r.summary = summarize(&names, &r.runs);
            r.completed = r.runs.iter().all(|run| finished(run, judge.epochs));
            point.trainability = r
                .runs
                .iter()
                .map(|run| judge.judge(run, &rule, None))
                .collect();
        }
        self.analysis = analyze_sweep(&self.result);
        self.generation += 1;
    }

    /// Whether point `p` has finished training (every run at its last epoch or diverged).
    pub fn point_done(&self, p: usize) -> bool {
        self.result
            .points
            .get(p)
            .is_some_and(|x| x.result.completed)
    }

    /// Whether point `p` has started (some run has an epoch past initialization).
    pub fn point_started(&self, p: usize) -> bool {
        self.result.points.get(p).is_some_and(|x| {
            x.result
                .runs
                .iter()
                .any(|r| r.epochs.last().is_some_and(|e| e.epoch > 0))
        })
    }

    /// "depth 8, gain 1": where point `p` sits.
    pub fn point_label(&self, p: usize) -> String {
        match (&self.result.spec.sweep, self.result.points.get(p)) {
            (Some(s), Some(point)) => s.point_label(&point.coords),
            _ => format!("point {}", p + 1),
        }
    }

    /// Point `p` as a study on screen (curves, layers, table), rebuilt only when it changed.
    pub fn point_live(&mut self, p: usize) -> Option<&Live> {
        let point = self.result.points.get(p)?;
        let fresh =
            matches!(&self.point_cache, Some((q, g, _)) if *q == p && *g == self.generation);
        if !fresh {
            self.point_cache = Some((p, self.generation, Live::from_result(&point.result)));
        }
        self.point_cache.as_ref().map(|(_, _, l)| l)
    }
}

fn finished(run: &RunResult, epochs: usize) -> bool {
    run.diverged || run.epochs.last().is_some_and(|e| e.epoch == epochs)
}
