//! The numbers a report shows, derived from a result: curves over repeats, the ranking with its
//! statistics, per-layer profiles. The sentences about them are in `findings`.

use super::findings;
use super::format::p_text;
use super::spread::{Spread, spread};
use crate::data::Task;
use crate::stats::{PairedT, Wilcoxon, holm, mean, paired_t, welch, wilcoxon};
use crate::study::{InitSummary, final_val_losses, summarize};
use crate::study::{RunResult, StudyResult};
use crate::train::EpochMetrics;

/// Which per-epoch number a curve follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    TrainLoss,
    ValLoss,
    /// Validation accuracy (classification) or R^2 (regression).
    ValScore,
}

impl Metric {
    pub fn of(self, e: &EpochMetrics) -> Option<f64> {
        match self {
            Metric::TrainLoss => Some(e.train_loss),
            Metric::ValLoss => Some(e.val_loss),
            Metric::ValScore => e.val_accuracy.or(e.val_r2),
        }
    }
}

/// Mean and min-max over the repeats that reached each epoch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    pub epochs: Vec<usize>,
    pub mean: Vec<f64>,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
}

pub fn curve(runs: &[RunResult], initializer: &str, metric: Metric) -> Curve {
    let mine: Vec<&RunResult> = runs
        .iter()
        .filter(|r| r.initializer == initializer)
        .collect();
    let Some(last) = mine
        .iter()
        .filter_map(|r| r.epochs.last().map(|e| e.epoch))
        .max()
    else {
        return Curve::default();
    };
    // One pass over each run's epochs, accumulating by epoch number: the app redraws a live
    // study's curves every frame, and gathering each epoch's values across runs one epoch at a
    // time was half of a frame at 800 epochs. Runs are added in order, so the sums are the same.
    let mut acc = vec![(-0.0f64, 0usize, f64::INFINITY, f64::NEG_INFINITY); last + 1];
    for r in &mine {
        for (i, e) in r.epochs.iter().enumerate() {
            let k = e.epoch;
            // Epochs are stored in order from 0, so epoch k is at index k; otherwise its first
            // entry counts.
            let chosen = if r.epochs.get(k).is_some_and(|x| x.epoch == k) {
                i == k
            } else {
                r.epochs.iter().position(|x| x.epoch == k) == Some(i)
            };
            let Some(v) = metric.of(e).filter(|v| v.is_finite()) else {
                continue;
            };
            if let (true, Some(a)) = (chosen, acc.get_mut(k)) {
                a.0 += v;
                a.1 += 1;
                a.2 = a.2.min(v);
                a.3 = a.3.max(v);
            }
        }
    }
    let mut c = Curve::default();
    for (epoch, &(sum, n, lo, hi)) in acc.iter().enumerate().filter(|(_, a)| a.1 > 0) {
        c.epochs.push(epoch);
        c.mean.push(sum / n as f64);
        c.min.push(lo);
        c.max.push(hi);
    }
    c
}

/// The test against the best arm, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    Best,
    /// Repeats are paired (same split, batches and draw within a repeat): paired t-test and
    /// Wilcoxon signed-rank on the per-repeat differences, Holm-adjusted across the study.
    Paired(Box<PairedComparison>),
    /// Welch's unequal-variance t-test, where repeats cannot be paired (fewer than two pairs).
    P(f64),
    NoTest(&'static str),
}

/// `row - best` over the repeats where both finished.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedComparison {
    pub t: PairedT,
    /// The paired t-test's p after Holm's adjustment over every comparison of the study.
    pub p_holm: f64,
    pub wilcoxon: Option<Wilcoxon>,
}

impl Comparison {
    pub fn text(&self) -> String {
        match self {
            Comparison::Best => "best".into(),
            Comparison::Paired(c) => format!("{} (Holm)", p_text(c.p_holm)),
            Comparison::P(p) => format!("{} (Welch)", p_text(*p)),
            Comparison::NoTest(why) => (*why).into(),
        }
    }

    /// The p-value a reader should judge by: Holm-adjusted paired t, or Welch.
    pub fn p(&self) -> Option<f64> {
        match self {
            Comparison::Paired(c) => Some(c.p_holm),
            Comparison::P(p) => Some(*p),
            _ => None,
        }
    }
}

/// One initializer in the ranking: its summary over repeats (the same numbers `results.json`
/// and the app's table show) and what only the report adds.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    /// Index in the study's initializer list (for colours).
    pub index: usize,
    pub summary: InitSummary,
    /// Final validation losses of the non-diverged repeats (for the tests and the chart).
    pub finals: Vec<f64>,
    /// First epoch at which the mean validation loss is within 5% of the best arm's final mean.
    pub epochs_to_target: Option<usize>,
    pub vs_best: Comparison,
    pub initial_train_loss: Option<f64>,
}

impl RankRow {
    pub fn initializer(&self) -> &str {
        &self.summary.initializer
    }
}

/// Everything the report states.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Sorted by final validation loss (diverged-only arms last).
    pub rows: Vec<RankRow>,
    pub headline: String,
    pub findings: Vec<String>,
    /// The loss of a model that knows only the class frequencies (or predicts the mean).
    pub chance_loss: f64,
    /// Repeats per initializer.
    pub repeats: usize,
    /// Names the validation score wherever the report shows it.
    pub task: Task,
    /// How much of the spread over repeats the split and the initialization make, where the
    /// design can tell.
    pub spread: Spread,
}

/// Tolerance of "epochs to reach the best arm's final loss".
pub const TARGET_FACTOR: f64 = 1.05;

pub fn analyze(r: &StudyResult) -> Analysis {
    let chance_loss = chance_loss(r);
    let mut rows = ranked_rows(r);
    compare_with_best(r, &mut rows);
    let spread = spread(r, &rows);
    Analysis {
        headline: findings::headline(&rows, r.spec.repeats, r.data.task),
        findings: findings::findings(&rows, r, chance_loss, &spread),
        spread,
        rows,
        chance_loss,
        repeats: r.spec.repeats,
        task: r.data.task,
    }
}

/// The loss of an uninformed model: the entropy of the class frequencies, or 1 for a
/// standardised regression target (the variance of predicting its mean).
fn chance_loss(r: &StudyResult) -> f64 {
    match r.data.task {
        Task::Classification => {
            let n: usize = r.data.classes.iter().map(|c| c.count).sum();
            -r.data
                .classes
                .iter()
                .filter(|c| c.count > 0)
                .map(|c| {
                    let p = c.count as f64 / n.max(1) as f64;
                    p * p.ln()
                })
                .sum::<f64>()
        }
        Task::Regression => 1.0,
    }
}

/// One row per initializer, best final validation loss first.
fn ranked_rows(r: &StudyResult) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = summarize(&r.spec.initializer_names(), &r.runs)
        .into_iter()
        .enumerate()
        .map(|(index, summary)| rank_row(r, index, summary))
        .collect();
    rows.sort_by(by_final_loss);
    rows
}

/// A row before it is compared with the best one.
fn rank_row(r: &StudyResult, index: usize, summary: InitSummary) -> RankRow {
    let first_train: Vec<f64> = r
        .runs
        .iter()
        .filter(|x| x.initializer == summary.initializer && !x.diverged)
        .filter_map(|x| x.epochs.first().map(|e| e.train_loss))
        .collect();
    RankRow {
        index,
        finals: final_val_losses(&r.runs, &summary.initializer),
        summary,
        epochs_to_target: None,
        vs_best: Comparison::NoTest(""),
        initial_train_loss: mean(&first_train),
    }
}

/// Lower final validation loss first; arms with no finished repeat last, in study order.
fn by_final_loss(a: &RankRow, b: &RankRow) -> std::cmp::Ordering {
    match (a.summary.final_val_loss_mean, b.summary.final_val_loss_mean) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.index.cmp(&b.index),
    }
}

/// Fills in what needs the best row: epochs to reach its final loss, and the test against it.
fn compare_with_best(r: &StudyResult, rows: &mut [RankRow]) {
    let Some(best) = rows
        .first()
        .filter(|b| b.summary.final_val_loss_mean.is_some())
        .cloned()
    else {
        return;
    };
    let target = best.summary.final_val_loss_mean.unwrap_or(f64::NAN) * TARGET_FACTOR;
    let best_finals = finals_by_repeat(r, best.initializer());
    for (k, row) in rows.iter_mut().enumerate() {
        row.epochs_to_target = epochs_to_target(r, row.initializer(), target);
        row.vs_best = if k == 0 {
            Comparison::Best
        } else {
            let mine = finals_by_repeat(r, row.initializer());
            versus(&best, row, &best_finals, &mine)
        };
    }
    holm_adjust(rows);
}

/// Final validation loss per repeat index (`None` where that repeat diverged or never ran).
fn finals_by_repeat(r: &StudyResult, initializer: &str) -> Vec<Option<f64>> {
    let mut out = vec![None; r.spec.repeats];
    for run in r
        .runs
        .iter()
        .filter(|x| x.initializer == initializer && !x.diverged)
    {
        if let (Some(slot), Some(e)) = (out.get_mut(run.repeat), run.epochs.last()) {
            *slot = Some(e.val_loss);
        }
    }
    out
}

/// Holm's step-down adjustment over every paired comparison of the study, in place.
fn holm_adjust(rows: &mut [RankRow]) {
    let raw: Vec<f64> = rows
        .iter()
        .filter_map(|r| match &r.vs_best {
            Comparison::Paired(c) => Some(c.t.p),
            _ => None,
        })
        .collect();
    let mut adjusted = holm(&raw).into_iter();
    for row in rows.iter_mut() {
        if let Comparison::Paired(c) = &mut row.vs_best
            && let Some(p) = adjusted.next()
        {
            c.p_holm = p;
        }
    }
}

/// The first epoch whose mean validation loss is at or below `target`.
fn epochs_to_target(r: &StudyResult, initializer: &str, target: f64) -> Option<usize> {
    let c = curve(&r.runs, initializer, Metric::ValLoss);
    c.epochs
        .iter()
        .zip(&c.mean)
        .find(|(_, m)| **m <= target)
        .map(|(e, _)| *e)
}

/// The test of `row` against the best row: paired over the repeats both finished when there
/// are two or more such pairs, else Welch's test of the two samples where one is possible.
fn versus(
    best: &RankRow,
    row: &RankRow,
    best_finals: &[Option<f64>],
    mine: &[Option<f64>],
) -> Comparison {
    if row.finals.is_empty() {
        return Comparison::NoTest("every repeat diverged");
    }
    let (a, b): (Vec<f64>, Vec<f64>) = mine
        .iter()
        .zip(best_finals)
        .filter_map(|(m, b)| Some(((*m)?, (*b)?)))
        .unzip();
    if let Some(t) = paired_t(&a, &b) {
        return Comparison::Paired(Box::new(PairedComparison {
            p_holm: t.p,
            wilcoxon: wilcoxon(&a, &b),
            t,
        }));
    }
    if row.finals.len() < 2 || best.finals.len() < 2 {
        Comparison::NoTest("needs 2+ repeats")
    } else {
        welch(&best.finals, &row.finals)
            .map_or(Comparison::NoTest("no test"), |(_, _, p)| Comparison::P(p))
    }
}

/// Which end of the run a layer profile looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Initialization,
    End,
}

/// Per hidden layer, the mean over `initializer`'s non-diverged repeats of `f` at initialization or
/// at the last recorded epoch (`None` where nothing was measured).
pub fn layer_profile(
    r: &StudyResult,
    initializer: &str,
    when: When,
    f: impl Fn(&crate::diagnostics::LayerStats) -> Option<f64>,
) -> Vec<Option<f64>> {
    let hidden = r.spec.model.hidden.len();
    (0..hidden)
        .map(|l| {
            let v: Vec<f64> = r
                .runs
                .iter()
                .filter(|x| x.initializer == initializer && !x.diverged)
                .filter_map(|x| {
                    let d = x.diagnostics.as_ref()?;
                    let e = match when {
                        When::Initialization => d.epochs.first()?,
                        When::End => d.epochs.last()?,
                    };
                    f(e.layers.get(l)?)
                })
                .collect();
            mean(&v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::EpochMetrics;

    fn run(init: &str, repeat: usize, losses: &[f64]) -> RunResult {
        RunResult {
            initializer: init.into(),
            repeat,
            diverged: false,
            diverged_epoch: None,
            epochs: losses
                .iter()
                .enumerate()
                .map(|(epoch, &l)| EpochMetrics {
                    epoch,
                    train_loss: l,
                    val_loss: l * 2.0,
                    val_accuracy: Some(1.0 / (1.0 + l)),
                    val_r2: None,
                })
                .collect(),
            lsuv: None,
            diagnostics: None,
        }
    }

    /// The definition, one epoch at a time: the values of the runs that reached it, in run order.
    fn by_epoch(runs: &[RunResult], init: &str, metric: Metric) -> Curve {
        let mine: Vec<&RunResult> = runs.iter().filter(|r| r.initializer == init).collect();
        let last = mine
            .iter()
            .filter_map(|r| r.epochs.last().map(|e| e.epoch))
            .max();
        let mut c = Curve::default();
        for epoch in 0..=last.unwrap_or(0) {
            let v: Vec<f64> = mine
                .iter()
                .filter_map(|r| r.epochs.iter().find(|e| e.epoch == epoch))
                .filter_map(|e| metric.of(e))
                .filter(|v| v.is_finite())
                .collect();
            if let Some(m) = mean(&v) {
                c.epochs.push(epoch);
                c.mean.push(m);
                c.min.push(v.iter().copied().fold(f64::INFINITY, f64::min));
                c.max
                    .push(v.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            }
        }
        c
    }

    #[test]
    fn one_pass_curve_equals_the_per_epoch_definition_bit_for_bit() {
        let third = |i: usize| 1.0 / (3.0 + i as f64);
        let long: Vec<f64> = (0..50).map(third).collect();
        let mut runs = vec![
            run("a", 0, &long),
            run("b", 0, &[0.3, 0.2]),
            run("a", 1, &long[..20]),
            run("a", 2, &[0.7, f64::NAN, 0.1, f64::INFINITY, 0.05]),
            run("a", 3, &[]),
        ];
        // An epoch missing from a run's history (epochs 3 -> 5).
        runs[2].epochs.remove(4);
        for metric in [Metric::TrainLoss, Metric::ValLoss, Metric::ValScore] {
            for init in ["a", "b", "none"] {
                let (fast, slow) = (curve(&runs, init, metric), by_epoch(&runs, init, metric));
                assert_eq!(fast.epochs, slow.epochs, "{init} {metric:?}");
                for (x, y) in [
                    (&fast.mean, &slow.mean),
                    (&fast.min, &slow.min),
                    (&fast.max, &slow.max),
                ] {
                    let bits = |v: &Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(x), bits(y), "{init} {metric:?}");
                }
            }
        }
        let a = curve(&runs, "a", Metric::TrainLoss);
        assert_eq!(a.epochs.len(), 50);
        assert_eq!(a.max[2], 0.2, "epoch 2: runs 0 and 1 at 1/5, run 2 at 0.1");
    }
}
