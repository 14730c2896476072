//! The per-initializer summary of a study's runs (means, spreads and intervals over repeats):
//! it belongs to the study result, and uses `stats` only for the arithmetic.

use serde::{Deserialize, Serialize};

use super::RunResult;
use crate::stats::{ci95, mean, std_dev};
use crate::train::EpochMetrics;

/// One initializer's results over its repeats. Runs that diverged are counted in `diverged` and
/// left out of the loss and score statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitSummary {
    pub initializer: String,
    /// Runs (repeats) of this initializer.
    #[serde(alias = "seeds")]
    pub repeats: usize,
    pub diverged: usize,
    pub final_val_loss_mean: Option<f64>,
    pub final_val_loss_std: Option<f64>,
    pub final_val_loss_ci95: Option<(f64, f64)>,
    pub best_val_loss_mean: Option<f64>,
    pub best_val_loss_std: Option<f64>,
    /// Mean epoch at which the validation loss was lowest.
    pub best_epoch_mean: Option<f64>,
    pub final_train_loss_mean: Option<f64>,
    pub final_val_accuracy_mean: Option<f64>,
    pub final_val_accuracy_std: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_val_r2_mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_val_r2_std: Option<f64>,
}

impl InitSummary {
    /// Mean final validation score: accuracy for classification, R^2 for regression.
    pub fn score_mean(&self) -> Option<f64> {
        self.final_val_accuracy_mean.or(self.final_val_r2_mean)
    }

    pub fn score_std(&self) -> Option<f64> {
        self.final_val_accuracy_std.or(self.final_val_r2_std)
    }
}

/// Final validation losses of one initializer's non-diverged runs (the report's tests use them).
pub fn final_val_losses(runs: &[RunResult], initializer: &str) -> Vec<f64> {
    runs.iter()
        .filter(|r| r.initializer == initializer && !r.diverged)
        .filter_map(|r| r.epochs.last().map(|e| e.val_loss))
        .collect()
}

/// Summaries in the order of `initializers`.
pub fn summarize(initializers: &[String], runs: &[RunResult]) -> Vec<InitSummary> {
    initializers
        .iter()
        .map(|name| {
            let mine: Vec<&RunResult> = runs.iter().filter(|r| &r.initializer == name).collect();
            let ok: Vec<&RunResult> = mine
                .iter()
                .copied()
                .filter(|r| !r.diverged && !r.epochs.is_empty())
                .collect();
            let last = |f: fn(&EpochMetrics) -> Option<f64>| -> Vec<f64> {
                ok.iter()
                    .filter_map(|r| r.epochs.last().and_then(f))
                    .collect()
            };
            let final_val = last(|e| Some(e.val_loss));
            let acc = last(|e| e.val_accuracy);
            let r2 = last(|e| e.val_r2);
            let train = last(|e| Some(e.train_loss));
            let (best, best_epoch): (Vec<f64>, Vec<f64>) = ok
                .iter()
                .filter_map(|r| {
                    r.epochs
                        .iter()
                        .min_by(|a, b| a.val_loss.total_cmp(&b.val_loss))
                        .map(|e| (e.val_loss, e.epoch as f64))
                })
                .unzip();
            InitSummary {
                initializer: name.clone(),
                repeats: mine.len(),
                diverged: mine.iter().filter(|r| r.diverged).count(),
                final_val_loss_mean: mean(&final_val),
                final_val_loss_std: std_dev(&final_val),
                final_val_loss_ci95: ci95(&final_val),
                best_val_loss_mean: mean(&best),
                best_val_loss_std: std_dev(&best),
                best_epoch_mean: mean(&best_epoch),
                final_train_loss_mean: mean(&train),
                final_val_accuracy_mean: mean(&acc),
                final_val_accuracy_std: std_dev(&acc),
                final_val_r2_mean: mean(&r2),
                final_val_r2_std: std_dev(&r2),
            }
        })
        .collect()
}
