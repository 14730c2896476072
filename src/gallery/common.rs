//! What the experiments share: the bundled-digits study they start from and small readers of
//! a result (per-initializer final losses and accuracies, a sweep's trainability).

use crate::activation::Activation;
use crate::study::{RepeatMode, Results, StudyResult, SweepResult, builtin};
use crate::study::{StudySpec, Sweep};
use crate::train::OptimizerKind;

/// A verdict before the experiment's texts are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub reproduced: bool,
    /// The numbers, without the leading "reproduced"/"not reproduced".
    pub text: String,
}

impl Judgement {
    pub fn new(reproduced: bool, text: impl Into<String>) -> Self {
        Self {
            reproduced,
            text: text.into(),
        }
    }

    /// A result of the wrong shape (a study where a sweep was expected, or no runs).
    pub fn unreadable(what: &str) -> Self {
        Self::new(false, format!("the result has no {what} to judge"))
    }
}

/// Bundled digits (1797 8x8 images, 10 classes, 20% held out on one fixed split), `inits` on
/// `hidden` layers of `activation`, momentum SGD (0.9, PyTorch's), batch 64. Repeats vary the
/// weights and batch order only (`seeds`), so every initializer sees the same split.
pub fn digits(inits: &[&str], activation: Activation, hidden: Vec<usize>) -> StudySpec {
    let mut s = StudySpec {
        initializers: builtin(inits),
        repeats: 2,
        repeat_mode: RepeatMode::Seeds,
        diagnostics: false,
        ..StudySpec::default()
    };
    s.model.hidden = hidden;
    s.model.activation = activation;
    s.train.optimizer.kind = OptimizerKind::Momentum;
    s.train.lr = 0.01;
    s.train.batch_size = 64;
    s
}

/// `spec` with a sweep over `axes` (`name=values` as on the command line). The axes are
/// constants of the gallery: a typo is a bug and panics in every test that builds the spec.
pub fn with_axes(mut spec: StudySpec, axes: &[&str], loss_fraction: Option<f64>) -> StudySpec {
    let mut sweep = Sweep {
        axes: axes
            .iter()
            .map(|a| {
                crate::study::Axis::parse_arg(a)
                    .unwrap_or_else(|e| panic!("gallery axis {a}: {}", e.message))
            })
            .collect(),
        ..Sweep::default()
    };
    if let Some(f) = loss_fraction {
        sweep.rule.loss_fraction = f;
    }
    spec.sweep = Some(sweep);
    spec
}

pub fn study(r: &Results) -> Option<&StudyResult> {
    match r {
        Results::Study(s) => Some(s),
        Results::Sweep(_) => None,
    }
}

pub fn sweep(r: &Results) -> Option<&SweepResult> {
    match r {
        Results::Sweep(s) => Some(s),
        Results::Study(_) => None,
    }
}

/// Final training loss of every repeat of `init` (infinity for a diverged or empty run).
pub fn final_losses(r: &StudyResult, init: &str) -> Vec<f64> {
    r.runs
        .iter()
        .filter(|run| run.initializer == init)
        .map(|run| match (run.diverged, run.epochs.last()) {
            (false, Some(e)) => e.train_loss,
            _ => f64::INFINITY,
        })
        .collect()
}

/// Final validation accuracy of every repeat of `init` (0 where unknown).
pub fn final_accuracies(r: &StudyResult, init: &str) -> Vec<f64> {
    r.runs
        .iter()
        .filter(|run| run.initializer == init)
        .map(|run| {
            run.epochs
                .last()
                .and_then(|e| e.val_accuracy)
                .unwrap_or(0.0)
        })
        .collect()
}

/// Mean of `v` (NaN when empty).
pub fn mean(v: &[f64]) -> f64 {
    crate::stats::mean(v).unwrap_or(f64::NAN)
}

/// Mean over repeats of the mean training loss over epochs 1.. (lower: faster).
pub fn mean_curve(r: &StudyResult, init: &str) -> f64 {
    let per_run: Vec<f64> = r
        .runs
        .iter()
        .filter(|run| run.initializer == init)
        .map(|run| {
            let v: Vec<f64> = run.epochs.iter().skip(1).map(|e| e.train_loss).collect();
            mean(&v)
        })
        .collect();
    mean(&per_run)
}

/// "0.12, 0.34": numbers for a verdict.
pub fn list(v: &[f64], decimals: usize) -> String {
    v.iter()
        .map(|x| format!("{x:.decimals$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Epochs the study trained (its last epoch number over every run).
pub fn epochs(r: &StudyResult) -> usize {
    r.runs
        .iter()
        .filter_map(|run| run.epochs.last().map(|e| e.epoch))
        .max()
        .unwrap_or(0)
}
