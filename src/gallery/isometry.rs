//! Pennington, Schoenholz & Ganguli 2017: at the same critical point (chi_1 = 1), a deep tanh
//! network with orthogonal weights trains faster than one with Gaussian weights, because its
//! input-output Jacobian's singular values stay near 1 (dynamical isometry) while the
//! Gaussian network's spread out with depth.

use rand_distr::{Distribution, StandardNormal};

use super::common::{Judgement, digits, final_losses, list, mean_curve, study};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::init::init_arm;
use crate::rng::derive_rng;
use crate::study::{Results, StudySpec};
use crate::theory::jacobian_spectrum;

const DEPTH: usize = 32;
const WIDTH: usize = 64;
const INITS: [&str; 2] = ["orthogonal", "lecun-normal"];
/// Draws of the hidden-stack Jacobian pooled per initializer.
const DRAWS: u64 = 4;

pub const EXPERIMENT: Experiment = Experiment {
    name: "pennington-isometry",
    title: "Pennington et al. 2017: dynamical isometry",
    citation: "J. Pennington, S. S. Schoenholz, S. Ganguli. Resurrecting the sigmoid in deep \
               learning through dynamical isometry: theory and practice. NeurIPS 2017.",
    claim: "At the same depth and the same critical point, a tanh network with orthogonal \
            weights trains faster than one with Gaussian weights, because its Jacobian's \
            singular values stay concentrated near 1 while the Gaussian network's spread out.",
    setup: "Bundled digits; 32 hidden tanh layers of width 64, zero biases, σ_w² = 1 (the \
            critical point of tanh with σ_b² = 0) for both orthogonal and lecun-normal; SGD \
            with momentum 0.9, lr 0.01, batch 64, 10 epochs, 2 repeats. Speed: the mean \
            training loss over the epochs. Jacobian: the singular values of the 32-layer \
            hidden stack's input-output Jacobian (64 x 64) at a standard normal input, pooled \
            over 4 draws of each initializer. Reduced (tests): 5 epochs.",
    look_for: "The training-loss curves (orthogonal falls first) and the Theory tab's Jacobian \
               spectrum: orthogonal's singular values sit in a narrow band, lecun-normal's \
               spread over orders of magnitude. The verdict gives var(s²)/mean(s²)² for both.",
    spec,
    judge,
};

fn spec(size: Size) -> StudySpec {
    let mut s = digits(&INITS, Activation::Tanh, vec![WIDTH; DEPTH]);
    s.train.epochs = match size {
        Size::Full => 10,
        Size::Reduced => 5,
    };
    s
}

/// var(s^2) / mean(s^2)^2 and the ratio of the largest to the smallest singular value of the
/// hidden stack's Jacobian for `init` as `spec` draws it, pooled over [`DRAWS`] draws.
pub fn spread(spec: &StudySpec, init: &crate::init::Initializer) -> Option<(f64, f64)> {
    let width = *spec.model.hidden.first()?;
    let dims = vec![width; spec.model.hidden.len() + 1];
    let spectra: Option<Vec<_>> = (0..DRAWS)
        .map(|d| {
            let arm = init_arm(init, &dims, spec.model.init_settings(), spec.seed, d, None);
            let mut rng = derive_rng(spec.seed, &[0x4a41_434f, d]);
            let x: Vec<f32> = (0..width)
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            jacobian_spectrum(&arm, spec.model.activation, &x).ok()
        })
        .collect();
    let pooled = crate::theory::JacobianSpectrum::pooled(&spectra?);
    let s_min = pooled.singular_values.last().copied()?;
    Some((pooled.normalized_var(), pooled.s_max / s_min))
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = study(r) else {
        return Judgement::unreadable("study");
    };
    let (oc, gc) = (mean_curve(r, INITS[0]), mean_curve(r, INITS[1]));
    let spreads: Vec<Option<(f64, f64)>> = r
        .spec
        .initializers
        .iter()
        .map(|i| spread(&r.spec, i))
        .collect();
    let (os, gs) = (
        spreads.first().copied().flatten(),
        spreads.get(1).copied().flatten(),
    );
    let narrower = os.zip(gs).is_some_and(|(o, g)| o.0 < g.0);
    let ok = oc < 0.75 * gc && narrower;
    let show = |s: Option<(f64, f64)>| {
        s.map_or("unmeasured".into(), |(v, c)| {
            format!("var(s²)/mean(s²)² = {v:.3}, s_max/s_min = {c:.3e}")
        })
    };
    let text = format!(
        "at depth {DEPTH} the mean training loss over the epochs was {oc:.3} for orthogonal and \
         {gc:.3} for lecun-normal ({:.2}x; the claim needs below 0.75x; final losses {} against \
         {}). Jacobian of the hidden stack: orthogonal {}; lecun-normal {}.",
        oc / gc,
        list(&final_losses(r, INITS[0]), 3),
        list(&final_losses(r, INITS[1]), 3),
        show(os),
        show(gs),
    );
    Judgement::new(ok, text)
}
