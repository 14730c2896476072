//! Yang & Hu 2021 / Yang et al. 2022: the coordinate check. Under the standard parametrization
//! (SP) an Adam step moves a layer's outputs by up to lr x fan_in, so after a few steps the
//! network's coordinates grow with width; under muP (per-layer learning rates 1/fan_in and a zero
//! readout, see `train::Parametrization`) they do not. Measured with the per-layer diagnostics on
//! the fixed probe batch after one epoch. On this 3-layer MLP over 64..512 the growth shows in
//! the logits; the hidden layers' RMS stays within about 1.5x under both (the verdict says so).

use super::common::{Judgement, digits, list, mean, sweep, with_axes};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::study::{Results, StudySpec, SweepResult};
use crate::train::{OptimizerKind, Parametrization, steps_per_epoch};

pub const EXPERIMENT: Experiment = Experiment {
    name: "mup-coordinate-check",
    title: "Yang & Hu 2021: the muP coordinate check",
    citation: "G. Yang, E. J. Hu. Tensor Programs IV: Feature Learning in Infinite-Width Neural \
               Networks. ICML 2021; G. Yang, E. J. Hu, I. Babuschkin et al. Tensor Programs V: \
               Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer. NeurIPS 2021 \
               (Table 3, Adam column; figure 5, the coordinate check).",
    claim: "After a few Adam steps the coordinates of a network in the standard \
            parametrization grow with its width (first and most in its output, the logits), \
            while under muP (hidden and readout learning rates scaled by 1/fan_in, readout \
            initialised to zero) every layer's scale stays the same at every width.",
    setup: "Bundled digits; 3 hidden ReLU layers of width 64, 128, 256, 512 (an 8x range), \
            kaiming-normal weights (variance 2/fan_in: Table 3's 1/fan_in with ReLU's factor 2), \
            zero biases; Adam, lr 0.003 (at base width 64 muP and SP share it), batch 256, 1 \
            epoch (6 steps); standard against mup as a sweep axis. Scale: the RMS over the \
            128-row probe batch after the epoch of the logits and of the last hidden layer's \
            activations, averaged over 3 repeats. Why lr 0.003 (one repeat each): at 0.001 \
            standard's logits stay flat up to width 128 and grow from 256 on; at 0.01 they are \
            large at every width (2.2 to 5.0, not monotone). Reduced (tests): 1 repeat.",
    look_for: "The verdict's numbers, and each point's diagnostics in results.json (the Layers \
               tab): after epoch 1 the output layer's spread grows with width under standard \
               and stays put under mup, as does every hidden layer's under mup.",
    spec,
    judge,
};

const WIDTHS: &str = "width=64,128,256,512";

fn spec(size: Size) -> StudySpec {
    let mut s = digits(&["kaiming-normal"], Activation::Relu, vec![64; 3]);
    s.train.optimizer.kind = OptimizerKind::Adam;
    s.train.lr = 0.003;
    s.train.batch_size = 256;
    s.train.epochs = 1;
    s.diagnostics = true;
    s.repeats = match size {
        Size::Full => 3,
        Size::Reduced => 1,
    };
    with_axes(s, &[WIDTHS, "parametrization=standard,mup"], None)
}

/// One point of the coordinate check: the parametrization, the width and the mean over repeats
/// of the RMS activation of the last hidden layer and of the logits after the last epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub parametrization: Parametrization,
    pub width: usize,
    pub hidden_rms: f64,
    pub logit_rms: f64,
}

/// RMS = sqrt(mean^2 + std^2) of layer `l` (activation) and of the output (pre-activation).
fn run_rms(run: &crate::study::RunResult) -> Option<(f64, f64)> {
    let layers = &run.diagnostics.as_ref()?.epochs.last()?.layers;
    let out = layers.last()?;
    let hidden = layers.get(layers.len().checked_sub(2)?)?;
    let rms = |m: f64, s: f64| (m * m + s * s).sqrt();
    Some((
        rms(hidden.act_mean, hidden.act_std),
        rms(out.pre_mean, out.pre_std),
    ))
}

/// Every point's [`Scale`], sorted by parametrization then width (points without diagnostics
/// are left out).
pub fn coordinate_scales(r: &SweepResult) -> Vec<Scale> {
    let mut out: Vec<Scale> = r
        .points
        .iter()
        .filter_map(|p| {
            let s = &p.result.spec;
            let width = *s.model.hidden.last()?;
            let rms: Vec<(f64, f64)> = p.result.runs.iter().filter_map(run_rms).collect();
            (!rms.is_empty()).then(|| Scale {
                parametrization: s.train.parametrization,
                width,
                hidden_rms: mean(&rms.iter().map(|r| r.0).collect::<Vec<_>>()),
                logit_rms: mean(&rms.iter().map(|r| r.1).collect::<Vec<_>>()),
            })
        })
        .collect();
    out.sort_by_key(|s| (s.parametrization == Parametrization::Mup, s.width));
    out
}

/// Hidden RMS by width (ascending) under `p`.
fn curve(scales: &[Scale], p: Parametrization) -> Vec<Scale> {
    scales
        .iter()
        .filter(|s| s.parametrization == p)
        .copied()
        .collect()
}

/// max / min of `v` (infinity when the minimum is not positive).
fn spread(v: &[f64]) -> f64 {
    let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    if lo > 0.0 { hi / lo } else { f64::INFINITY }
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = sweep(r) else {
        return Judgement::unreadable("sweep");
    };
    let scales = coordinate_scales(r);
    let (sp, mup) = (
        curve(&scales, Parametrization::Standard),
        curve(&scales, Parametrization::Mup),
    );
    if sp.len() < 2 || mup.len() < 2 {
        return Judgement::unreadable("coordinate check (two widths of each parametrization)");
    }
    let hidden = |c: &[Scale]| c.iter().map(|s| s.hidden_rms).collect::<Vec<_>>();
    let logits = |c: &[Scale]| c.iter().map(|s| s.logit_rms).collect::<Vec<_>>();
    let (sl, ml) = (logits(&sp), logits(&mup));
    let (sh, mh) = (hidden(&sp), hidden(&mup));
    let grows = sl.windows(2).all(|w| w[1] > w[0]);
    let (sp_ratio, sh_ratio) = (sl[sl.len() - 1] / sl[0], sh[sh.len() - 1] / sh[0]);
    let (ml_spread, mh_spread) = (spread(&ml), spread(&mh));
    let ok = grows && sp_ratio >= 2.0 && ml_spread < 2.0 && mh_spread < 2.0;
    let widths: Vec<f64> = sp.iter().map(|s| s.width as f64).collect();
    let text = format!(
        "RMS of the logits after {} Adam steps at widths {}: standard {} ({}, widest/narrowest \
         {sp_ratio:.2}x; the claim needs growth at every width and at least 2x), mup {} \
         (max/min {ml_spread:.2}x, needs below 2x). Last hidden layer: mup {} (max/min \
         {mh_spread:.2}x, needs below 2x); standard {} (widest/narrowest {sh_ratio:.2}x: {}).",
        steps(r),
        list(&widths, 0),
        list(&sl, 3),
        if grows {
            "growing at every width"
        } else {
            "not growing at every width"
        },
        list(&ml, 3),
        list(&mh, 3),
        list(&sh, 3),
        if sh_ratio >= 2.0 {
            "SP's hidden layers grew with width too"
        } else {
            "SP's hidden layers did not grow 2x, only its readout did"
        },
    );
    Judgement::new(ok, text)
}

/// Optimizer steps the sweep's points took (the first point's).
fn steps(r: &SweepResult) -> usize {
    r.points.first().map_or(0, |p| {
        let s = &p.result.spec.train;
        steps_per_epoch(p.result.data.n_train, s.batch_size) * s.epochs
    })
}
