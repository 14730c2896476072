//! The elementary random draws every scheme is built from. They sit below both `sample` (the
//! catalogue) and `orthogonal` (which starts from a Gaussian matrix), so neither imports the other
//! back: `sample` -> `orthogonal` -> `draw`, and `sample` -> `draw`.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// U(-a, a) draws; a bound that is not a positive finite number gives zeros (the parser rejects
/// such bounds, so this only guards the library API).
pub(super) fn uniform<R: Rng>(n: usize, a: f32, rng: &mut R) -> Vec<f32> {
    match Uniform::new_inclusive(-a, a) {
        Ok(dist) => (0..n).map(|_| dist.sample(rng)).collect(),
        Err(_) => vec![0.0; n],
    }
}

/// Standard normal draws in f64, scaled and rounded once to f32.
pub(super) fn normal<R: Rng>(n: usize, std: f32, rng: &mut R) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(rng);
            (z * std as f64) as f32
        })
        .collect()
}

/// N(0, std^2) with every draw beyond +-2 std redrawn (Keras' TruncatedNormal).
pub(super) fn trunc_normal<R: Rng>(n: usize, std: f32, rng: &mut R) -> Vec<f32> {
    (0..n)
        .map(|_| {
            loop {
                let z: f64 = StandardNormal.sample(rng);
                if z.abs() <= 2.0 {
                    break (z * std as f64) as f32;
                }
            }
        })
        .collect()
}
