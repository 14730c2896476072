//! Drawing a `[fan_in, fan_out]` weight matrix (row-major: `w[i * fan_out + j]` connects input
//! `i` to unit `j`) from a seeded RNG, on the host.

use rand::Rng;
use rand::seq::index;
use rand_distr::{Distribution, StandardNormal};

use super::draw::{normal, trunc_normal, uniform};
use super::orthogonal::orthogonal;
use super::spec::{FanMode, Initializer};
use crate::activation::Activation;

/// Samples the initial weights of one layer.
pub fn sample<R: Rng>(
    init: &Initializer,
    fan_in: usize,
    fan_out: usize,
    activation: Activation,
    rng: &mut R,
) -> Vec<f32> {
    let n = fan_in * fan_out;
    let gain = init.gain(activation);
    let fan_in_f = fan_in.max(1) as f32;
    let fan_avg = (fan_in + fan_out).max(1) as f32 / 2.0;
    match *init {
        Initializer::Zeros => vec![0.0; n],
        Initializer::Ones => vec![1.0; n],
        Initializer::Constant(v) => vec![v; n],
        Initializer::Uniform(a) => uniform(n, a, rng),
        Initializer::Normal(std) => normal(n, std, rng),
        Initializer::TruncNormal(std) => trunc_normal(n, std, rng),
        Initializer::XavierUniform(_) => uniform(n, gain * (3.0 / fan_avg).sqrt(), rng),
        Initializer::XavierNormal(_) => normal(n, gain * (1.0 / fan_avg).sqrt(), rng),
        Initializer::KaimingUniform(_, mode) => uniform(
            n,
            gain * (3.0 / kaiming_fan(fan_in, fan_out, mode)).sqrt(),
            rng,
        ),
        Initializer::KaimingNormal(_, mode) => {
            normal(n, gain / kaiming_fan(fan_in, fan_out, mode).sqrt(), rng)
        }
        Initializer::LecunUniform(_) => uniform(n, gain * (3.0 / fan_in_f).sqrt(), rng),
        Initializer::LecunNormal(_) => normal(n, gain / fan_in_f.sqrt(), rng),
        // LSUV starts from an orthogonal matrix; the data-dependent rescaling follows in `lsuv`.
        Initializer::Orthogonal(_) | Initializer::Lsuv => orthogonal(fan_in, fan_out, gain, rng),
        Initializer::Identity(_) => {
            let mut w = vec![0.0; n];
            for i in 0..fan_in.min(fan_out) {
                w[i * fan_out + i] = gain;
            }
            w
        }
        Initializer::Sparse(k) => sparse(fan_in, fan_out, k, rng),
        Initializer::PytorchDefault => uniform(n, 1.0 / fan_in_f.sqrt(), rng),
    }
}

fn kaiming_fan(fan_in: usize, fan_out: usize, mode: FanMode) -> f32 {
    match mode {
        FanMode::FanIn => fan_in.max(1) as f32,
        FanMode::FanOut => fan_out.max(1) as f32,
    }
}

/// Martens (2010): each unit gets exactly `k` non-zero incoming N(0, 1) weights on distinct,
/// uniformly chosen inputs (`k` is capped at `fan_in`).
fn sparse<R: Rng>(fan_in: usize, fan_out: usize, k: usize, rng: &mut R) -> Vec<f32> {
    let mut w = vec![0.0; fan_in * fan_out];
    let k = k.min(fan_in);
    for j in 0..fan_out {
        for i in index::sample(rng, fan_in, k) {
            let z: f64 = StandardNormal.sample(rng);
            w[i * fan_out + j] = z as f32;
        }
    }
    w
}
