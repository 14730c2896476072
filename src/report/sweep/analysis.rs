//! What a sweep's report and Sweep tab show, computed once: per point and initializer, how many
//! repeats trained, the final losses and the steps to the threshold; per initializer, where
//! along each axis it trained.

use crate::study::sweep::{Axis, Scale};
use crate::study::{PointResult, SweepResult};

/// One initializer at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub repeats: usize,
    pub trained: usize,
    pub diverged: usize,
    /// Final validation loss over the repeats that did not diverge: mean, min, max.
    pub val_loss: Option<(f64, f64, f64)>,
    pub train_loss: Option<f64>,
    /// Mean final validation accuracy or R^2.
    pub score: Option<f64>,
    /// Mean steps to the threshold over the repeats that reached it, and how many did.
    pub steps: Option<f64>,
    pub reached: usize,
}

impl Cell {
    /// Share of the repeats that trained (0 when there were none).
    pub fn trained_fraction(&self) -> f64 {
        if self.repeats == 0 {
            0.0
        } else {
            self.trained as f64 / self.repeats as f64
        }
    }

    /// Counted as trained at this point: at least half of its repeats trained.
    pub fn mostly_trained(&self) -> bool {
        self.repeats > 0 && 2 * self.trained >= self.repeats
    }
}

/// The sweep's cells, `[point][initializer]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepAnalysis {
    pub inits: Vec<String>,
    pub cells: Vec<Vec<Cell>>,
}

pub fn analyze_sweep(r: &SweepResult) -> SweepAnalysis {
    let inits = r.spec.initializer_names();
    let cells = r
        .points
        .iter()
        .map(|p| inits.iter().map(|i| cell(p, i)).collect())
        .collect();
    SweepAnalysis { inits, cells }
}

fn cell(p: &PointResult, init: &str) -> Cell {
    let runs: Vec<usize> = (0..p.result.runs.len())
        .filter(|&k| p.result.runs[k].initializer == init)
        .collect();
    let judged = |k: &usize| p.trainability.get(*k);
    let finals: Vec<f64> = runs
        .iter()
        .filter(|&&k| !p.result.runs[k].diverged)
        .filter_map(|&k| p.result.runs[k].epochs.last().map(|e| e.val_loss))
        .filter(|v| v.is_finite())
        .collect();
    let steps: Vec<f64> = runs
        .iter()
        .filter_map(|k| judged(k).and_then(|t| t.steps_to_threshold))
        .map(|s| s as f64)
        .collect();
    let summary = p.result.summary.iter().find(|s| s.initializer == init);
    Cell {
        repeats: runs.len(),
        trained: runs
            .iter()
            .filter(|k| judged(k).is_some_and(|t| t.trained))
            .count(),
        diverged: runs.iter().filter(|&&k| p.result.runs[k].diverged).count(),
        val_loss: mean_min_max(&finals),
        train_loss: summary.and_then(|s| s.final_train_loss_mean),
        score: summary.and_then(|s| s.score_mean()),
        reached: steps.len(),
        steps: mean_min_max(&steps).map(|(m, _, _)| m),
    }
}

fn mean_min_max(v: &[f64]) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((mean, min, max))
}

/// Where one initializer trained along one axis (every other axis at the point's value).
#[derive(Debug, Clone, PartialEq)]
pub struct AxisVerdict {
    pub init: String,
    /// Indices of the axis's values at which every point (over the other axes) mostly trained.
    pub trained_at: Vec<usize>,
}

/// For a one-axis sweep: per initializer, the values at which it trained.
pub fn verdicts(r: &SweepResult, a: &SweepAnalysis) -> Vec<AxisVerdict> {
    let Some(axis) = r.spec.sweep.as_ref().and_then(|s| s.axes.first()) else {
        return Vec::new();
    };
    a.inits
        .iter()
        .enumerate()
        .map(|(j, init)| AxisVerdict {
            init: init.clone(),
            trained_at: (0..axis.len())
                .filter(|&v| {
                    r.points
                        .iter()
                        .zip(&a.cells)
                        .filter(|(p, _)| p.coords.first() == Some(&v))
                        .all(|(_, c)| c[j].mostly_trained())
                })
                .collect(),
        })
        .collect()
}

/// A sentence on where `v` trained along `axis`: the deepest depth for depth, the range of
/// values otherwise, naming the gaps.
pub fn verdict_text(axis: &Axis, v: &AxisVerdict) -> String {
    let name = axis.name();
    if v.trained_at.is_empty() {
        return format!("{} trained at no {name} of the sweep", v.init);
    }
    if v.trained_at.len() == axis.len() {
        return format!(
            "{} trained at every {name} ({}..{})",
            v.init,
            axis.label(0),
            axis.label(axis.len() - 1)
        );
    }
    let labels: Vec<String> = v.trained_at.iter().map(|&i| axis.label(i)).collect();
    let failed: Vec<String> = (0..axis.len())
        .filter(|i| !v.trained_at.contains(i))
        .map(|i| axis.label(i))
        .collect();
    match axis {
        Axis::Depth(d) => {
            let deepest = v.trained_at.iter().map(|&i| d[i]).max().unwrap_or(0);
            format!(
                "{}: deepest trained depth {deepest} (not trained at depth {})",
                v.init,
                failed.join(", ")
            )
        }
        _ if axis.scale() == Scale::Categorical => format!(
            "{} trained with {name} {} (not with {})",
            v.init,
            labels.join(", "),
            failed.join(", ")
        ),
        _ => format!(
            "{} trained at {name} {} (not at {})",
            v.init,
            labels.join(", "),
            failed.join(", ")
        ),
    }
}
