//! Where each initializer sits on the phase diagram: sigma_w2 = fan_in Var(W_ij) per layer (the
//! variance of one pre-activation per unit mean square of the layer's input), sigma_b2 from the
//! bias, and the predicted length and gradient profile through the study's model.
//!
//! Per scheme (gain g as the scheme uses it with the model's activation):
//! - uniform:A -> fan_in A^2 / 3; normal:S -> fan_in S^2; trunc-normal:S -> fan_in S^2 0.7737
//!   (the variance of N(0, 1) cut at +-2);
//! - xavier-* -> 2 g^2 fan_in / (fan_in + fan_out): 1 only for square layers;
//! - kaiming-* -> g^2 (fan-in mode) or g^2 fan_in / fan_out (fan-out mode); lecun-* -> g^2;
//!   pytorch-default (U(+-1/sqrt(fan_in))) -> 1/3;
//! - orthogonal -> g^2 min(fan_in, fan_out) / fan_out: with fan_in >= fan_out each unit's
//!   incoming weight vector is a column of g Q, of norm g exactly, so sigma_w2 = g^2; with
//!   fan_in < fan_out the rows (outgoing vectors) are orthonormal and the columns' squared norms
//!   average g^2 fan_in / fan_out;
//! - identity -> the same Frobenius value, but it is deterministic (no averaging applies);
//! - sparse:K -> K' = min(K, fan_in): K' weights of variance 1 per unit;
//! - zeros, ones, constant -> 0: no variance, every unit computes the same thing (degenerate);
//! - lsuv -> unknown until measured: its scale comes from the data.
//!
//! A study's gain multiplies a random scheme's weights, so sigma_w2 is scaled by gain^2.
//!
//! Biases: a constant [`BiasInit`](crate::init::BiasInit) has zero variance, so sigma_b2 = 0; a
//! non-zero constant shifts all pre-activations alike, which the zero-mean theory does not model
//! (a caveat says so). `normal:STD` biases are the theory's own: sigma_b2 = STD^2.

use serde::{Deserialize, Serialize};

use super::mean_field::{MeanField, PhasePoint};
use super::moments::Moments;
use super::nonlinearity::erf;
use crate::activation::Activation;
use crate::init::{BiasInit, FanMode, Initializer};
use crate::model::ModelSpec;

/// One layer of one initializer. `layer` 0 is the first hidden layer, the last the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerCoordinates {
    pub layer: usize,
    pub fan_in: usize,
    pub fan_out: usize,
    /// `None` for LSUV (data-dependent).
    pub sigma_w2: Option<f64>,
    pub sigma_b2: f64,
    /// The phase point of a deep stack of layers like this one (model activation).
    pub point: Option<PhasePoint>,
}

/// One initializer in the study's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitCoordinates {
    pub initializer: String,
    pub layers: Vec<LayerCoordinates>,
    /// Predicted q^l per layer from the input's mean square (`None` if a sigma_w2 is unknown).
    pub lengths: Option<Vec<f64>>,
    /// Predicted ||dL/dh^l||^2 relative to the output layer's.
    pub gradients: Option<Vec<f64>>,
    /// Where the theory's assumptions (i.i.d. zero-mean random weights and biases) fail.
    pub caveats: Vec<String>,
}

/// sigma_w2 = fan_in Var(W_ij) of one layer (see the module note); `None` for LSUV.
pub fn sigma_w2(
    init: &Initializer,
    fan_in: usize,
    fan_out: usize,
    activation: Activation,
) -> Option<f64> {
    let g2 = f64::from(init.gain(activation)).powi(2);
    let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
    Some(match *init {
        Initializer::Zeros | Initializer::Ones | Initializer::Constant(_) => 0.0,
        Initializer::Uniform(a) => fi * f64::from(a).powi(2) / 3.0,
        Initializer::Normal(s) => fi * f64::from(s).powi(2),
        Initializer::TruncNormal(s) => fi * f64::from(s).powi(2) * truncated_variance(2.0),
        Initializer::XavierUniform(_) | Initializer::XavierNormal(_) => 2.0 * g2 * fi / (fi + fo),
        Initializer::KaimingUniform(_, mode) | Initializer::KaimingNormal(_, mode) => match mode {
            FanMode::FanIn => g2,
            FanMode::FanOut => g2 * fi / fo,
        },
        Initializer::LecunUniform(_) | Initializer::LecunNormal(_) => g2,
        Initializer::Orthogonal(_) | Initializer::Identity(_) => g2 * fi.min(fo) / fo,
        Initializer::Sparse(k) => k.min(fan_in) as f64,
        Initializer::PytorchDefault => 1.0 / 3.0,
        Initializer::Lsuv => return None,
    })
}

/// Variance of N(0, 1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1).
fn truncated_variance(a: f64) -> f64 {
    let pdf = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
    1.0 - 2.0 * a * pdf / erf(a / std::f64::consts::SQRT_2)
}

/// Why mean-field theory does not describe `init` as it does a Gaussian scheme, if it does not.
pub fn caveat(init: &Initializer) -> Option<&'static str> {
    Some(match init {
        Initializer::Zeros | Initializer::Ones | Initializer::Constant(_) => {
            "degenerate: constant weights have no variance and every unit computes the same value"
        }
        Initializer::Identity(_) => {
            "deterministic: W = gI mixes nothing, so the averages over random weights do not apply"
        }
        Initializer::Sparse(_) => "sparse: few non-zero weights per unit, far from Gaussian",
        Initializer::Lsuv => {
            "data-dependent: LSUV's scale is set on a batch, so it is only measured"
        }
        _ => return None,
    })
}

/// The coordinates of `init` in `model` for `n_in` inputs and `n_out` outputs, and the
/// predicted profile for inputs whose features have mean square `input_sq` (about 1 for
/// standardised data).
pub fn coordinates(
    init: &Initializer,
    model: &ModelSpec,
    (n_in, n_out): (usize, usize),
    input_sq: f64,
) -> InitCoordinates {
    let act = model.activation;
    let dims = model.dims(n_in, n_out);
    let gain2 = if init.is_random() {
        f64::from(model.gain).powi(2)
    } else {
        1.0
    };
    let sb2 = model.bias.variance();
    let layers: Vec<LayerCoordinates> = dims
        .windows(2)
        .enumerate()
        .map(|(l, w)| {
            let s = sigma_w2(init, w[0], w[1], act).map(|s| s * gain2);
            LayerCoordinates {
                layer: l,
                fan_in: w[0],
                fan_out: w[1],
                sigma_w2: s,
                sigma_b2: sb2,
                point: s.and_then(|s| MeanField::new(act, s, sb2).ok().map(|m| m.phase_point())),
            }
        })
        .collect();
    let sigmas: Option<Vec<f64>> = layers.iter().map(|l| l.sigma_w2).collect();
    let lengths = sigmas
        .as_ref()
        .map(|s| predict_lengths(act, s, sb2, input_sq));
    let gradients = match (&sigmas, &lengths) {
        (Some(s), Some(q)) => Some(predict_gradients(act, s, q)),
        _ => None,
    };
    let mut caveats: Vec<String> = caveat(init).map(str::to_owned).into_iter().collect();
    if matches!(model.bias, BiasInit::Constant(c) if c != 0.0) {
        caveats.push(format!(
            "bias {}: a constant shift of every pre-activation, outside the zero-mean theory \
             (sigma_b2 = 0 is used)",
            model.bias
        ));
    }
    InitCoordinates {
        initializer: init.to_string(),
        layers,
        lengths,
        gradients,
        caveats,
    }
}

/// Predicted q^l for layers with these sigma_w2: q^0 = sigma_w2[0] input_sq + sigma_b2 (the
/// input is not passed through phi), then q^l = sigma_w2[l] E[phi(h^(l-1))^2] + sigma_b2.
pub fn predict_lengths(
    activation: Activation,
    sigma_w2: &[f64],
    sigma_b2: f64,
    input_sq: f64,
) -> Vec<f64> {
    let m = Moments::new(activation);
    let mut out: Vec<f64> = Vec::with_capacity(sigma_w2.len());
    for &s in sigma_w2 {
        let incoming = match out.last() {
            None => input_sq,
            Some(&q) => m.mean_sq(q),
        };
        out.push(s * incoming + sigma_b2);
    }
    out
}

/// Predicted ||dL/dh^l||^2 relative to the output layer: going back through layer l + 1
/// multiplies it by sigma_w2[l + 1] E[phi'(h^l)^2], the layer's own chi_1 at q^l (with
/// fan_in-scaled variances no width ratio enters).
pub fn predict_gradients(activation: Activation, sigma_w2: &[f64], lengths: &[f64]) -> Vec<f64> {
    let m = Moments::new(activation);
    let n = sigma_w2.len().min(lengths.len());
    let mut out = vec![1.0; n];
    for l in (0..n.saturating_sub(1)).rev() {
        out[l] = out[l + 1] * sigma_w2[l + 1] * m.mean_dsq(lengths[l]);
    }
    out
}
