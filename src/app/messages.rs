//! Applying what the background jobs send: load progress and tables, prepared data, training
//! events and the finished result, dialog answers, finished exports.

use std::path::PathBuf;
use std::sync::Arc;

use super::InitlabApp;
use super::jobs::{DialogPurpose, Msg};
use super::live::{Live, apply_event, next_version};
use super::sweep_live::SweepRun;
use crate::data::Table;
use crate::study::sweep::{PointJudge, SweepEstimate};
use crate::study::{PointResult, StudyResult, StudySpec, SweepResult};
use crate::train::TrainEvent;

impl InitlabApp {
    /// Applies every message that has arrived since the last frame.
    pub(super) fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.handle(msg);
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::LoadProgress {
                generation,
                progress,
            } => {
                if generation == self.data.load_generation
                    && let Some((_, p)) = &mut self.data.loading
                {
                    *p = progress;
                }
            }
            Msg::Loaded {
                generation,
                source,
                result,
            } => {
                if generation == self.data.load_generation {
                    self.data.loading = None;
                    self.on_loaded(source, result);
                }
            }
            Msg::Prepared { generation, result } => {
                if generation == self.data.prepare_generation {
                    self.data.prepared = Some(result);
                }
            }
            Msg::Train(e) => self.on_train_event(e),
            Msg::Finished { result, stopped } => self.on_finished(result, stopped),
            Msg::SweepReady {
                spec,
                estimate,
                points,
            } => self.on_sweep_ready(*spec, estimate, points),
            Msg::SweepFinished { result, stopped } => self.on_sweep_finished(result, stopped),
            Msg::Dialog {
                purpose,
                path,
                seconds,
            } => self.on_dialog(purpose, path, seconds),
            Msg::Exported(r) => self.on_exported(r),
        }
    }

    fn on_loaded(&mut self, source: crate::study::DataSource, result: Result<Arc<Table>, String>) {
        match result {
            Ok(table) => {
                let text = format!(
                    "loaded {} ({} rows, {} columns)",
                    table.source,
                    table.n_rows,
                    table.columns.len()
                );
                self.accept_table(source, table);
                self.set_status(false, text);
            }
            Err(e) => {
                let kept = if self.data.table.is_some() {
                    " (the previous dataset is kept)"
                } else {
                    ""
                };
                self.set_status(true, format!("{e}{kept}"));
                if self.data.table.is_none() {
                    self.use_bundled(&crate::data::bundled::BUNDLED[0]);
                }
            }
        }
    }

    /// The run ended: completed, stopped by the user (`stopped`), or failed.
    fn on_finished(&mut self, result: Result<Box<StudyResult>, String>, stopped: bool) {
        if let Some(stats) = &self.frame_stats {
            eprint!("{}", stats.report());
        }
        self.run.running = None;
        match result {
            Ok(r) => {
                if self.frame_stats.is_some() {
                    eprintln!("study wall time {:.2} s", r.wall_seconds);
                }
                self.run.live = Some(Live::from_result(&r));
                let text = if r.completed {
                    format!("finished in {:.1} s", r.wall_seconds)
                } else {
                    format!(
                        "stopped after {:.1} s: partial results kept",
                        r.wall_seconds
                    )
                };
                self.set_status(false, text);
                self.run.result = Some(*r);
            }
            Err(e) => {
                let suffix = if stopped { " (stopped)" } else { "" };
                self.set_status(true, format!("training failed: {e}{suffix}"));
            }
        }
    }

    fn on_dialog(&mut self, purpose: DialogPurpose, path: Option<PathBuf>, seconds: f64) {
        match path {
            Some(p) => self.use_path(purpose, p),
            // A dialog that answers at once never opened: there is no desktop portal.
            None if seconds < 0.5 => self.set_status(
                true,
                "no file dialog is available on this system: type or paste a path in the Path \
                 field and use the buttons beside it",
            ),
            None => {}
        }
    }

    fn on_exported(&mut self, r: Result<PathBuf, String>) {
        self.run.exporting = false;
        match r {
            Ok(dir) => {
                let html = dir.join("report.html");
                self.set_status(false, format!("report written to {}", html.display()));
                self.run.last_export = Some(dir);
            }
            Err(e) => self.set_status(true, e),
        }
    }

    fn on_train_event(&mut self, e: TrainEvent) {
        let sweep = self.run.running.as_ref().is_some_and(|r| r.sweep);
        if let Some(r) = &mut self.run.running {
            match (&e, sweep) {
                (TrainEvent::Steps { steps }, false) => r.done_steps += steps,
                (TrainEvent::Epoch { .. }, true) => r.done_steps += 1,
                _ => {}
            }
        }
        if sweep {
            if let Some(s) = &mut self.run.sweep {
                s.on_event(e);
            }
            return;
        }
        let arm = match &e {
            TrainEvent::Epoch { arm, .. }
            | TrainEvent::Diverged { arm, .. }
            | TrainEvent::InitialHistograms { arm, .. }
            | TrainEvent::Diagnostics { arm, .. } => *arm,
            TrainEvent::Steps { .. } => return,
        };
        if let Some(live) = self.run.live.as_mut()
            && let Some(run) = live.runs.get_mut(arm)
        {
            apply_event(run, e);
            live.version = next_version();
        }
    }

    /// The sweep's data is ready and its estimate made: its points appear, empty.
    fn on_sweep_ready(
        &mut self,
        spec: StudySpec,
        estimate: SweepEstimate,
        points: Vec<(PointResult, PointJudge)>,
    ) {
        self.set_status(false, estimate_text(&estimate));
        self.run.sweep = Some(SweepRun::live(spec, points, estimate));
    }

    /// The sweep ended: completed, stopped (finished points and epochs kept), or failed.
    fn on_sweep_finished(&mut self, result: Result<Box<SweepResult>, String>, stopped: bool) {
        if let Some(stats) = &self.frame_stats {
            eprint!("{}", stats.report());
        }
        self.run.running = None;
        match result {
            Ok(r) => {
                if self.frame_stats.is_some() {
                    eprintln!("sweep wall time {:.2} s", r.wall_seconds);
                }
                let text = if r.completed {
                    format!("sweep finished in {:.1} s", r.wall_seconds)
                } else {
                    format!(
                        "sweep stopped after {:.1} s: finished points and epochs kept",
                        r.wall_seconds
                    )
                };
                self.set_status(false, text);
                let estimate = self.run.sweep.take().and_then(|s| s.estimate);
                self.run.sweep = Some(SweepRun::finished(*r, estimate));
            }
            Err(e) => {
                let suffix = if stopped { " (stopped)" } else { "" };
                self.view.sweep_error = Some(e.clone());
                self.set_status(true, format!("sweep failed: {e}{suffix}"));
            }
        }
    }
}

/// "12 points, 48 networks, 0.35 M parameters, ~8 s (calibrated on depth 32)".
pub(super) fn estimate_text(e: &SweepEstimate) -> String {
    format!(
        "{} points, {} networks, {} parameters, ~{:.0} s (calibrated on {})",
        e.points,
        e.networks,
        parameters_text(e.parameters),
        e.seconds.max(1.0),
        e.calibrated_on
    )
}

/// A parameter count in words: 950, 12.3 k, 4.56 M.
pub(super) fn parameters_text(p: f64) -> String {
    if p < 1e3 {
        format!("{p:.0}")
    } else if p < 1e6 {
        format!("{:.1} k", p / 1e3)
    } else {
        format!("{:.2} M", p / 1e6)
    }
}
