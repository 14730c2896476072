//! Per-epoch metrics, computed on the host from the model's outputs.

use serde::{Deserialize, Serialize};

use crate::data::Targets;

/// One arm's numbers after one epoch (epoch 0 is the untrained initialization).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    /// Mean training loss over the epoch's mini-batches (at epoch 0: over the training set).
    pub train_loss: f64,
    pub val_loss: f64,
    /// Classification only (null for regression).
    pub val_accuracy: Option<f64>,
    /// Regression only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val_r2: Option<f64>,
}

/// Loss and score of one arm over a whole split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitScore {
    pub loss: f64,
    /// Accuracy (classification) or R^2 (regression).
    pub score: f64,
}

/// Accumulates per-arm loss and score over chunks of a split.
pub struct ScoreAccumulator {
    loss_sum: Vec<f64>,
    hits_or_sse: Vec<f64>,
    rows: usize,
}

impl ScoreAccumulator {
    pub fn new(arms: usize) -> Self {
        Self {
            loss_sum: vec![0.0; arms],
            hits_or_sse: vec![0.0; arms],
            rows: 0,
        }
    }

    /// `out` is `[arms, rows, outputs]` row-major for the rows `targets[start..start + rows]`.
    pub fn add(
        &mut self,
        out: &[f32],
        outputs: usize,
        targets: &Targets,
        start: usize,
        rows: usize,
    ) {
        let arms = self.loss_sum.len();
        for a in 0..arms {
            for r in 0..rows {
                let o = &out[(a * rows + r) * outputs..(a * rows + r + 1) * outputs];
                match targets {
                    Targets::Classes(y) => {
                        let y = y[start + r] as usize;
                        let (loss, argmax) = cross_entropy(o, y);
                        self.loss_sum[a] += loss;
                        if argmax == y {
                            self.hits_or_sse[a] += 1.0;
                        }
                    }
                    Targets::Values(y) => {
                        let d = (o[0] - y[start + r]) as f64;
                        self.loss_sum[a] += d * d;
                        self.hits_or_sse[a] += d * d;
                    }
                }
            }
        }
        self.rows += rows;
    }

    /// Per arm: mean loss, and accuracy or R^2 (`target_var`: the split's target variance).
    pub fn finish(&self, targets: &Targets) -> Vec<SplitScore> {
        let n = self.rows.max(1) as f64;
        let target_var = match targets {
            Targets::Values(y) => variance(y),
            Targets::Classes(_) => 0.0,
        };
        self.loss_sum
            .iter()
            .zip(&self.hits_or_sse)
            .map(|(&l, &h)| SplitScore {
                loss: l / n,
                score: match targets {
                    Targets::Classes(_) => h / n,
                    Targets::Values(_) if target_var > 0.0 => 1.0 - (h / n) / target_var,
                    Targets::Values(_) => f64::NAN,
                },
            })
            .collect()
    }
}

/// Softmax cross-entropy of one row in f64 (log-sum-exp shifted by the max), and the argmax.
/// A non-finite logit gives a non-finite loss, which marks the arm as diverged.
pub fn cross_entropy(logits: &[f32], y: usize) -> (f64, usize) {
    let mut argmax = 0;
    let mut max = f64::NEG_INFINITY;
    for (k, &v) in logits.iter().enumerate() {
        if (v as f64) > max {
            max = v as f64;
            argmax = k;
        }
    }
    if !max.is_finite() || logits.iter().any(|v| !v.is_finite()) {
        return (f64::NAN, argmax);
    }
    let lse = max
        + logits
            .iter()
            .map(|&v| (v as f64 - max).exp())
            .sum::<f64>()
            .ln();
    (lse - logits[y] as f64, argmax)
}

fn variance(y: &[f32]) -> f64 {
    let n = y.len().max(1) as f64;
    let mean = y.iter().map(|&v| v as f64).sum::<f64>() / n;
    y.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n
}
