//! The initializer catalogue: every scheme users know, sampled on the host from a seeded RNG.
//!
//! Burn's own `Initializer` draws from a process-global RNG, so weights would depend on which
//! other models were built first; here the weights of (repeat, layer) come from a stream keyed by
//! the study seed, the repeat and the layer alone.

mod bias;
mod catalogue;
mod draw;
mod lsuv;
mod orthogonal;
mod sample;
mod spec;

pub use bias::BiasInit;
pub use catalogue::{CATALOGUE, Entry, describe, entry};
pub use lsuv::{
    LSUV_BATCH, LSUV_MAX_ITERATIONS, LSUV_TOLERANCE, LsuvLayer, linear, lsuv, variance,
};
pub use orthogonal::orthogonal;
pub use sample::sample;
pub use spec::{FanMode, Gain, Initializer, NAMES, ParseInitError};

use crate::activation::Activation;
use crate::rng::{derive_rng, stream};

/// Initial weights and biases of one arm: `weights[l]` is `[dims[l], dims[l+1]]` row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmWeights {
    pub weights: Vec<Vec<f32>>,
    pub biases: Vec<Vec<f32>>,
    /// Set for LSUV: what the rescaling did per layer.
    pub lsuv: Option<Vec<LsuvLayer>>,
}

/// What an arm's draw depends on besides the initializer: the activation (for `gain=auto`), the
/// biases and a gain on the weights' spread (a sweep axis: `gain^2` is sigma_w^2 in units of the
/// scheme's own variance, the x axis of the mean-field phase diagram).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InitSettings {
    pub activation: Activation,
    pub bias: BiasInit,
    pub gain: f32,
}

impl InitSettings {
    /// Zero biases, gain 1.
    pub fn new(activation: Activation) -> Self {
        Self {
            activation,
            bias: BiasInit::ZEROS,
            gain: 1.0,
        }
    }
}

/// Draws every layer of one arm. The stream of layer `l` in repeat `repeat` is keyed by
/// `(seed, repeat, l)` only, so two initializers in the same repeat use the same underlying
/// random numbers (common random numbers: `xavier-normal` and `kaiming-normal` then differ only by
/// their scale), and adding or reordering arms changes nothing. `lsuv_batch` (row-major
/// `[rows, dims[0]]` training rows) is required by LSUV and ignored otherwise.
///
/// The gain multiplies every random scheme's weights; the deterministic ones (zeros, ones,
/// constant) have no spread to scale, and LSUV sets each layer's variance from data, so the gain
/// leaves those three kinds as they are.
pub fn init_arm(
    init: &Initializer,
    dims: &[usize],
    settings: InitSettings,
    seed: u64,
    repeat: u64,
    lsuv_batch: Option<&[f32]>,
) -> ArmWeights {
    let layers = dims.len().saturating_sub(1);
    let activation = settings.activation;
    let mut weights: Vec<Vec<f32>> = (0..layers)
        .map(|l| {
            let mut rng = derive_rng(seed, &[stream::WEIGHTS, repeat, l as u64]);
            sample(init, dims[l], dims[l + 1], activation, &mut rng)
        })
        .collect();
    if settings.gain != 1.0 && init.is_random() {
        for w in weights.iter_mut().flatten() {
            *w *= settings.gain;
        }
    }
    let biases: Vec<Vec<f32>> = (0..layers)
        .map(|l| settings.bias.draw(dims[l + 1], seed, repeat, l))
        .collect();
    let lsuv = match (init.needs_data(), lsuv_batch) {
        (true, Some(batch)) => Some(lsuv(&mut weights, &biases, dims, activation, batch)),
        _ => None,
    };
    ArmWeights {
        weights,
        biases,
        lsuv,
    }
}
