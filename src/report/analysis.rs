//! The numbers a report shows, derived from a result: curves over seeds, the ranking with its
//! statistics, the headline and findings in plain words.

use crate::data::Task;
use crate::stats::{InitSummary, final_val_losses, mean, summarize, welch};
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

/// Mean and min-max over the seeds that reached each epoch.
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
    let last = mine
        .iter()
        .filter_map(|r| r.epochs.last().map(|e| e.epoch))
        .max();
    let mut c = Curve::default();
    for epoch in 0..=last.unwrap_or(0) {
        let v: Vec<f64> = mine
            .iter()
            .filter_map(|r| {
                r.epochs
                    .iter()
                    .find(|e| e.epoch == epoch)
                    .and_then(|e| metric.of(e))
            })
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

/// A p-value against the best arm, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    Best,
    P(f64),
    NoTest(&'static str),
}

impl Comparison {
    pub fn text(&self) -> String {
        match self {
            Comparison::Best => "best".into(),
            Comparison::P(p) => p_text(*p),
            Comparison::NoTest(why) => (*why).into(),
        }
    }
}

pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else if p < 0.01 {
        "p < 0.01".into()
    } else {
        format!("p = {p:.2}")
    }
}

/// One initializer in the ranking: its summary over seeds (the same numbers `results.json`
/// and the app's table show) and what only the report adds.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    /// Index in the study's initializer list (for colours).
    pub index: usize,
    pub summary: InitSummary,
    /// Final validation losses of the non-diverged seeds (for the tests and the chart).
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
    pub seeds: usize,
    pub score_name: &'static str,
}

/// Tolerance of "epochs to reach the best arm's final loss".
pub const TARGET_FACTOR: f64 = 1.05;

pub fn analyze(r: &StudyResult) -> Analysis {
    let chance_loss = match r.data.task {
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
    };
    let score_name = if r.data.task == Task::Regression {
        "validation R²"
    } else {
        "validation accuracy"
    };
    let mut rows: Vec<RankRow> = summarize(&r.spec.initializer_names(), &r.runs)
        .into_iter()
        .enumerate()
        .map(|(index, summary)| {
            let mine = r
                .runs
                .iter()
                .filter(|x| x.initializer == summary.initializer && !x.diverged);
            let first_train: Vec<f64> = mine
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
        })
        .collect();
    rows.sort_by(
        |a, b| match (a.summary.final_val_loss_mean, b.summary.final_val_loss_mean) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.index.cmp(&b.index),
        },
    );

    let best = rows
        .first()
        .filter(|b| b.summary.final_val_loss_mean.is_some())
        .cloned();
    if let Some(best) = &best {
        let target = best.summary.final_val_loss_mean.unwrap_or(f64::NAN) * TARGET_FACTOR;
        for (k, row) in rows.iter_mut().enumerate() {
            let c = curve(&r.runs, row.initializer(), Metric::ValLoss);
            row.epochs_to_target = c
                .epochs
                .iter()
                .zip(&c.mean)
                .find(|(_, m)| **m <= target)
                .map(|(e, _)| *e);
            row.vs_best = if k == 0 {
                Comparison::Best
            } else if row.finals.is_empty() {
                Comparison::NoTest("every seed diverged")
            } else if row.finals.len() < 2 || best.finals.len() < 2 {
                Comparison::NoTest("needs 2+ seeds")
            } else {
                welch(&best.finals, &row.finals)
                    .map_or(Comparison::NoTest("no test"), |(_, _, p)| Comparison::P(p))
            };
        }
    }
    let headline = headline(&rows, r.spec.repeats, score_name);
    let findings = findings(&rows, r, chance_loss);
    Analysis {
        rows,
        headline,
        findings,
        chance_loss,
        seeds: r.spec.repeats,
        score_name,
    }
}

/// `mean ± std` with [`num`], the mean alone when there is no spread (one seed), or a dash.
pub fn pm(m: Option<f64>, s: Option<f64>) -> String {
    match (m, s) {
        (Some(m), Some(s)) => format!("{} ± {}", num(m), num(s)),
        (Some(m), None) => num(m),
        _ => "—".into(),
    }
}

/// Three significant digits, switching to scientific notation for very small or large values.
pub fn num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{x:.2e}")
    } else {
        let digits = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

fn headline(rows: &[RankRow], seeds: usize, score_name: &str) -> String {
    let Some(best) = rows
        .first()
        .filter(|b| b.summary.final_val_loss_mean.is_some())
    else {
        return "No initializer finished without diverging.".into();
    };
    let bm = best.summary.final_val_loss_mean.unwrap_or(f64::NAN);
    let mut s = format!(
        "{}: validation loss {} over {} seed{}",
        best.initializer(),
        pm(
            best.summary.final_val_loss_mean,
            best.summary.final_val_loss_std
        ),
        seeds,
        if seeds == 1 { "" } else { "s" }
    );
    if let Some(score) = best.summary.score_mean() {
        s += &format!(" ({score_name} {})", num(score));
    }
    let compare = |other: &RankRow| -> Option<String> {
        let m = other.summary.final_val_loss_mean?;
        let p = match &other.vs_best {
            Comparison::P(p) => format!(", {}", p_text(*p)),
            _ => String::new(),
        };
        Some(format!(
            "{}x lower than {}{}",
            ratio(m / bm),
            other.initializer(),
            p
        ))
    };
    let finished: Vec<&RankRow> = rows
        .iter()
        .filter(|r| r.summary.final_val_loss_mean.is_some())
        .collect();
    let mut parts = Vec::new();
    if let Some(runner) = finished.get(1) {
        parts.extend(compare(runner));
    }
    if finished.len() > 2 {
        parts.extend(finished.last().and_then(|w| compare(w)));
    }
    if !parts.is_empty() {
        s += "; ";
        s += &parts.join("; ");
    }
    if seeds < 2 {
        s += " (one seed: no significance test possible)";
    }
    s
}

fn ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}")
    }
}

fn findings(rows: &[RankRow], r: &StudyResult, chance: f64) -> Vec<String> {
    let mut out = Vec::new();
    let best = rows.first().and_then(|b| b.summary.final_val_loss_mean);
    for row in rows {
        let name = row.initializer();
        let before = out.len();
        if row.summary.diverged > 0 {
            let epochs: Vec<String> = r
                .runs
                .iter()
                .filter(|x| x.initializer == name)
                .filter_map(|x| x.diverged_epoch.map(|e| e.to_string()))
                .collect();
            out.push(format!(
                "{name}: diverged (loss became NaN or infinite) in {} of {} seeds, at epoch {}; those seeds are left out of its statistics.",
                row.summary.diverged,
                row.summary.repeats,
                epochs.join(", ")
            ));
        }
        let (Some(first), Some(last)) = (row.initial_train_loss, row.summary.final_train_loss_mean)
        else {
            continue;
        };
        let symmetric = matches!(name.split(':').next(), Some("zeros" | "ones" | "constant"));
        if (first - last).abs() <= 0.01 * first.abs().max(1e-12) {
            let why = if symmetric {
                " — symmetric weights: every hidden unit computes the same thing and receives the same gradient, so the network cannot learn"
            } else {
                " — no learning"
            };
            out.push(format!(
                "{name}: training loss never left {}{why}.",
                num(last)
            ));
        } else if symmetric
            && row
                .summary
                .final_val_loss_mean
                .is_some_and(|m| m >= 0.95 * chance)
        {
            out.push(format!(
                "{name}: stuck near the loss of a model that knows only the class frequencies ({}) — symmetric weights, no learning.",
                num(chance)
            ));
        }
        if first > 3.0 * chance && chance > 0.0 {
            out.push(format!(
                "{name}: started at a training loss of {}, {}x that of an uninformed model ({}): the initial weights are too large, so outputs start out saturated and overconfident.",
                num(first),
                ratio(first / chance),
                num(chance)
            ));
        }
        if let (Some(m), Some(b)) = (row.summary.final_val_loss_mean, best)
            && out.len() == before
            && m > 2.0 * b
            && row.vs_best != Comparison::Best
        {
            out.push(format!(
                "{name}: ends {}x above the best final validation loss ({} vs {}).",
                ratio(m / b),
                num(m),
                num(b)
            ));
        }
    }
    let close: Vec<&str> = rows
        .iter()
        .skip(1)
        .filter(|row| matches!(row.vs_best, Comparison::P(p) if p >= 0.05))
        .map(|row| row.initializer())
        .collect();
    if let (Some(best), false) = (rows.first(), close.is_empty()) {
        out.push(format!(
            "{} {} statistically indistinguishable from {} on final validation loss (Welch's t-test, p >= 0.05 over {} seeds).",
            close.join(", "),
            if close.len() == 1 { "is" } else { "are" },
            best.initializer(),
            r.spec.repeats
        ));
    }
    if r.spec.repeats < 2 {
        out.push("With one seed per initializer, differences cannot be tested for significance; run with --seeds 3 or more.".into());
    }
    if !r.completed {
        out.push("The study was stopped before its last epoch: these are partial results.".into());
    }
    out
}

/// The layer with the largest measured value of a profile, and that value.
fn worst_layer(profile: &[Option<f64>]) -> Option<(usize, f64)> {
    profile
        .iter()
        .enumerate()
        .filter_map(|(l, v)| v.map(|v| (l, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Which end of the run a layer profile looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Initialization,
    End,
}

/// Per hidden layer, the mean over `initializer`'s non-diverged seeds of `f` at initialization or
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

/// Findings about what happens inside the networks, from the diagnostics.
pub fn layer_findings(r: &StudyResult) -> Vec<String> {
    let mut out = Vec::new();
    let act = r.spec.model.activation;
    for init in r.spec.initializer_names() {
        let has = r.runs.iter().any(|x| {
            x.initializer == init && x.diagnostics.as_ref().is_some_and(|d| !d.epochs.is_empty())
        });
        if !has {
            continue;
        }
        let distinct_all: Vec<usize> = r
            .runs
            .iter()
            .filter(|x| x.initializer == init)
            .filter_map(|x| x.diagnostics.as_ref())
            .flat_map(|d| d.epochs.iter())
            .flat_map(|e| {
                e.layers
                    .iter()
                    .take(r.spec.model.hidden.len())
                    .map(|l| l.distinct_units)
            })
            .collect();
        if !distinct_all.is_empty() && distinct_all.iter().all(|&d| d == 1) {
            out.push(format!(
                "{init}: 1 distinct hidden unit per layer throughout training — the symmetry between units is never broken."
            ));
        }
        let sat = layer_profile(r, &init, When::Initialization, |l| l.saturated);
        if let Some((l, s)) = worst_layer(&sat)
            && s >= 0.5
        {
            out.push(format!("{init}: {:.0}% of layer-{} {act} activations saturated at initialization (gradients through them are near zero).", s * 100.0, l + 1));
        }
        let dead = layer_profile(r, &init, When::End, |l| l.dead);
        if let Some((l, d)) = worst_layer(&dead)
            && d >= 0.25
        {
            out.push(format!("{init}: {:.0}% of layer-{} ReLUs are dead (zero on every probe row) at the end of training.", d * 100.0, l + 1));
        }
        let std = layer_profile(r, &init, When::Initialization, |l| Some(l.act_std));
        if let (Some(Some(first)), Some(Some(last))) = (std.first(), std.last())
            && std.len() >= 3
            && *first > 0.0
        {
            let ratio = last / first;
            if ratio < 0.01 && *last > 0.0 {
                out.push(format!(
                    "{init} with {} {act} layers: the activation std falls {}-fold from layer 1 to layer {} at initialization (a vanishing signal).",
                    std.len(),
                    fold(1.0 / ratio),
                    std.len()
                ));
            } else if ratio > 100.0 {
                out.push(format!(
                    "{init} with {} {act} layers: the activation std grows {}-fold from layer 1 to layer {} at initialization (an exploding signal).",
                    std.len(),
                    fold(ratio),
                    std.len()
                ));
            }
        }
    }
    out
}

/// `350`, or `10^11` for large factors.
fn fold(x: f64) -> String {
    if x < 1e4 {
        format!("{x:.0}")
    } else {
        format!("10^{:.0}", x.log10())
    }
}
