//! Glorot & Bengio 2010: with the "standard" initialization U(+-1/sqrt(fan_in)), a deep sigmoid
//! network's top hidden layer is driven to 0 (saturation) early in training, which the
//! normalized initialization avoids; with tanh, the standard initialization saturates the
//! layers one after another.

use super::common::{Judgement, digits, sweep};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::study::{Results, StudyResult, StudySpec};
use crate::train::OptimizerKind;

const STANDARD: &str = "pytorch-default";
const NORMALIZED: &str = "xavier-uniform";
/// The top layer's mean sigmoid output at or below this counts as driven to 0.
const NEAR_ZERO: f64 = 0.1;
/// Epochs counted as "early".
const EARLY: usize = 5;

pub const EXPERIMENT: Experiment = Experiment {
    name: "glorot-saturation",
    title: "Glorot & Bengio 2010: saturation of deep sigmoid and tanh networks",
    citation: "X. Glorot, Y. Bengio. Understanding the difficulty of training deep feedforward \
               neural networks. AISTATS 2010 (figures 2, 3 and 6).",
    claim: "With the standard initialization U(±1/sqrt(fan_in)) the top hidden layer of a deep \
            sigmoid network is driven to 0 early in training while the normalized (Xavier) \
            initialization avoids it, and tanh networks with the standard initialization \
            saturate layer by layer.",
    setup: "Bundled digits; 5 hidden layers of width 100, sigmoid and tanh (an activation \
            axis); pytorch-default (exactly the paper's standard U(±1/sqrt(fan_in))) against \
            xavier-uniform (the paper's normalized initialization); plain SGD, lr 0.5, batch \
            16 (the paper used batch 10 and tuned the rate), 20 epochs, 2 repeats; per-layer \
            diagnostics on. Saturated: |tanh| > 0.99. Reduced (tests): 5 epochs, 1 repeat.",
    look_for: "The Layers tab (or the report's per-layer chart) at each point, metric 'mean \
               activation' for sigmoid: the top hidden layer (layer 5) falls from 0.5 towards \
               0 within two epochs; metric 'saturated' for tanh, layer by layer over epochs.",
    spec,
    judge,
};

fn spec(size: Size) -> StudySpec {
    let mut s = digits(&[STANDARD, NORMALIZED], Activation::Sigmoid, vec![100; 5]);
    s.diagnostics = true;
    s.train.optimizer.kind = OptimizerKind::Sgd;
    s.train.lr = 0.5;
    s.train.batch_size = 16;
    (s.train.epochs, s.repeats) = match size {
        Size::Full => (20, 2),
        Size::Reduced => (EARLY, 1),
    };
    super::common::with_axes(s, &["activation=sigmoid,tanh"], None)
}

/// Per epoch, every hidden layer's statistic `f`, averaged over the repeats of `init`.
fn per_epoch(
    r: &StudyResult,
    init: &str,
    f: impl Fn(&crate::diagnostics::LayerStats) -> f64,
) -> Vec<Vec<f64>> {
    let runs: Vec<_> = r
        .runs
        .iter()
        .filter(|run| run.initializer == init)
        .filter_map(|run| run.diagnostics.as_ref())
        .collect();
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    (0..first.epochs.len())
        .map(|e| {
            let hidden = first.epochs[e].layers.len().saturating_sub(1);
            (0..hidden)
                .map(|l| {
                    let v: Vec<f64> = runs
                        .iter()
                        .filter_map(|d| d.epochs.get(e)?.layers.get(l).map(&f))
                        .collect();
                    super::common::mean(&v)
                })
                .collect()
        })
        .collect()
}

/// The lowest mean activation of the top hidden layer over the first [`EARLY`] epochs.
fn top_low(r: &StudyResult, init: &str) -> f64 {
    per_epoch(r, init, |l| l.act_mean)
        .iter()
        .take(EARLY + 1)
        .filter_map(|layers| layers.last().copied())
        .fold(f64::INFINITY, f64::min)
}

/// The epoch at which each hidden layer's saturated share first exceeded 5% (`None`: never).
fn onsets(r: &StudyResult, init: &str) -> Vec<Option<usize>> {
    let sat = per_epoch(r, init, |l| l.saturated.unwrap_or(0.0));
    let layers = sat.first().map_or(0, Vec::len);
    (0..layers)
        .map(|l| sat.iter().position(|e| e.get(l).is_some_and(|s| *s > 0.05)))
        .collect()
}

fn point(r: &crate::study::SweepResult, act: Activation) -> Option<&StudyResult> {
    r.points
        .iter()
        .map(|p| &p.result)
        .find(|p| p.spec.model.activation == act)
}

fn onset_text(o: &[Option<usize>]) -> String {
    let v: Vec<String> = o
        .iter()
        .map(|x| x.map_or("never".into(), |e| e.to_string()))
        .collect();
    v.join(", ")
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = sweep(r) else {
        return Judgement::unreadable("sweep");
    };
    let (Some(sig), Some(tanh)) = (point(r, Activation::Sigmoid), point(r, Activation::Tanh))
    else {
        return Judgement::unreadable("sigmoid and tanh point");
    };
    let (s_std, s_norm) = (top_low(sig, STANDARD), top_low(sig, NORMALIZED));
    let (t_std, t_norm) = (onsets(tanh, STANDARD), onsets(tanh, NORMALIZED));
    let layered = t_std.windows(2).all(|w| match (w[0], w[1]) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    });
    let ok = s_std <= NEAR_ZERO && s_norm > NEAR_ZERO && layered;
    let text = format!(
        "sigmoid: the top hidden layer's mean activation fell to {s_std:.3} within {EARLY} \
         epochs under the standard initialization and to {s_norm:.3} under the normalized one \
         (the claim needs the first at most {NEAR_ZERO} and the second above it); tanh: the \
         epoch at which each hidden layer (1 to 5) first had more than 5% of its values \
         saturated was {} under the standard initialization and {} under the normalized one \
         (the claim needs the standard's to come strictly one layer after another).",
        onset_text(&t_std),
        onset_text(&t_norm),
    );
    Judgement::new(ok, text)
}
