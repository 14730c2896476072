//! Whether a run trained, and how fast: the measures a sweep's frontier is drawn from.
//!
//! The loss is the epoch's mean mini-batch training loss, read at epoch ends, so "steps to the
//! threshold" is a multiple of the steps per epoch: the first epoch end at which the threshold
//! was met (an upper bound on the exact step, within one epoch).

use serde::{Deserialize, Serialize};

use crate::study::{RunResult, StudyError};

/// When a run counts as trained. The loss threshold alone would call a badly scaled network
/// trained when its huge initial loss halves; for classification the validation accuracy must
/// also beat the majority class by a margin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainedRule {
    /// The threshold: this fraction of the run's initial training loss.
    pub loss_fraction: f64,
    /// Classification: the final validation accuracy must reach chance (the majority class's
    /// share) plus this margin.
    pub accuracy_margin: f64,
}

impl Default for TrainedRule {
    fn default() -> Self {
        Self {
            loss_fraction: 0.5,
            accuracy_margin: 0.1,
        }
    }
}

impl TrainedRule {
    pub fn validate(&self) -> Result<(), StudyError> {
        let bad = |field: &str, message: &str| {
            Err(StudyError::Invalid {
                field: format!("sweep.rule.{field}"),
                message: message.into(),
            })
        };
        if !(self.loss_fraction > 0.0 && self.loss_fraction < 1.0) {
            return bad("loss_fraction", "must be between 0 and 1 (exclusive)");
        }
        if !(0.0..1.0).contains(&self.accuracy_margin) {
            return bad("accuracy_margin", "must be at least 0 and below 1");
        }
        Ok(())
    }
}

/// The trainability of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trainability {
    pub initial_loss: f64,
    pub threshold: f64,
    /// Optimizer steps in the full budget (every epoch).
    pub budget_steps: usize,
    /// Training loss of the last epoch run (`None` when the run diverged or never ran).
    pub final_loss: Option<f64>,
    /// Steps until the first epoch end at or below the threshold (`None`: never reached).
    pub steps_to_threshold: Option<usize>,
    /// The same in wall seconds, from the measured seconds per step of the run's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_threshold: Option<f64>,
    /// Classification: final validation accuracy and the chance level it is compared with.
    pub final_accuracy: Option<f64>,
    pub chance: Option<f64>,
    pub diverged: bool,
    pub trained: bool,
    /// The rule that decided `trained`, with the numbers.
    pub reason: String,
}

/// Judges `run` under `rule`: `steps_per_epoch` and `epochs` give the budget; `chance` is the
/// majority class's share for classification.
pub fn trainability(
    run: &RunResult,
    rule: &TrainedRule,
    (steps_per_epoch, epochs): (usize, usize),
    chance: Option<f64>,
    seconds_per_step: Option<f64>,
) -> Trainability {
    let initial_loss = run.epochs.first().map_or(f64::NAN, |e| e.train_loss);
    let threshold = rule.loss_fraction * initial_loss;
    let trained_epochs = run.epochs.iter().filter(|e| e.epoch > 0);
    let steps_to_threshold = trained_epochs
        .clone()
        .find(|e| e.train_loss <= threshold)
        .map(|e| e.epoch * steps_per_epoch);
    let last = run.epochs.last().filter(|e| e.epoch > 0);
    let final_loss = last.map(|e| e.train_loss).filter(|_| !run.diverged);
    let final_accuracy = last.and_then(|e| e.val_accuracy);
    let (trained, reason) = judge(
        run,
        rule,
        threshold,
        epochs,
        final_loss,
        final_accuracy,
        chance,
    );
    Trainability {
        initial_loss,
        threshold,
        budget_steps: steps_per_epoch * epochs,
        final_loss,
        steps_to_threshold,
        seconds_to_threshold: steps_to_threshold
            .zip(seconds_per_step)
            .map(|(s, sps)| s as f64 * sps),
        final_accuracy,
        chance,
        diverged: run.diverged,
        trained,
        reason,
    }
}

fn judge(
    run: &RunResult,
    rule: &TrainedRule,
    threshold: f64,
    epochs: usize,
    final_loss: Option<f64>,
    final_accuracy: Option<f64>,
    chance: Option<f64>,
) -> (bool, String) {
    if run.diverged {
        let at = run
            .diverged_epoch
            .map_or(String::new(), |e| format!(" in epoch {e}"));
        return (false, format!("diverged{at}"));
    }
    let done = run.epochs.last().map_or(0, |e| e.epoch);
    let Some(loss) = final_loss.filter(|_| done == epochs) else {
        return (
            false,
            format!("stopped after epoch {done} of {epochs}: not judged"),
        );
    };
    let f = rule.loss_fraction;
    let loss_text = if loss <= threshold {
        format!("training loss {loss:.4} <= {f} x initial ({threshold:.4})")
    } else {
        format!("training loss {loss:.4} > {f} x initial ({threshold:.4})")
    };
    let loss_ok = loss <= threshold;
    match (final_accuracy, chance) {
        (Some(acc), Some(c)) => {
            let bar = c + rule.accuracy_margin;
            let acc_ok = acc >= bar;
            let op = if acc_ok { ">=" } else { "<" };
            let m = rule.accuracy_margin;
            (
                loss_ok && acc_ok,
                format!("{loss_text}; validation accuracy {acc:.3} {op} chance {c:.3} + {m}"),
            )
        }
        _ => (loss_ok, loss_text),
    }
}
