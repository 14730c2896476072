//! Signal propagation measured on an arm's real initial weights, on the host in f64: what the
//! mean-field maps predict, counted on a batch. Per layer:
//! - q, the mean squared pre-activation (the length map's q^l);
//! - the average squared unit mean and the average unit variance over the batch (Brock, De &
//!   Smith 2021 track these "channel" statistics: a large mean share means every input looks
//!   alike to the layer);
//! - the mean correlation between two inputs' pre-activation vectors (the correlation map's c^l);
//! - ||dL/dh^l||^2 for a fixed random output gradient (what chi_1 predicts, layer by layer).

use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::TheoryError;
use super::linalg::{affine, times_transpose};
use super::nonlinearity::{dphi, phi};
use crate::activation::Activation;
use crate::init::{ArmWeights, Initializer, init_arm};
use crate::model::ModelSpec;
use crate::rng::derive_rng;

/// Rows whose pairwise correlations are averaged (the first ones of the batch).
pub const CORRELATION_ROWS: usize = 32;
/// Stream key of the random output gradient.
const GRADIENT_STREAM: u64 = 0x4752_4144;

/// One layer measured on a batch; `layer` 0 is the first hidden layer, the last the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerMeasurement {
    pub layer: usize,
    pub width: usize,
    /// Mean of h^2 over units and rows.
    pub q: f64,
    /// Mean over units of (the unit's batch mean)^2.
    pub unit_mean_sq: f64,
    /// Mean over units of the unit's batch variance (q = unit_mean_sq + unit_var).
    pub unit_var: f64,
    /// Mean cosine similarity of two rows' pre-activation vectors, over pairs of rows.
    pub correlation: f64,
    /// Mean over rows of ||dL/dh||^2, for an output gradient of i.i.d. N(0, 1) entries.
    pub grad_sq: f64,
    /// ||dL/dW^l||^2 for the batch-mean loss with that output gradient: what the optimizer
    /// sees of this layer at its first step.
    #[serde(default)]
    pub weight_grad_sq: f64,
}

/// Layer widths `[n_in, ..., n_out]` read from the arm's shapes.
pub fn layer_dims(arm: &ArmWeights) -> Result<Vec<usize>, TheoryError> {
    let bad = || TheoryError::Dimensions("weights and biases do not form a chain of layers".into());
    let mut dims = Vec::with_capacity(arm.weights.len() + 1);
    for (w, b) in arm.weights.iter().zip(&arm.biases) {
        if b.is_empty() || w.is_empty() || !w.len().is_multiple_of(b.len()) {
            return Err(bad());
        }
        let fan_in = w.len() / b.len();
        if dims.last().is_some_and(|&d| d != fan_in) {
            return Err(bad());
        }
        if dims.is_empty() {
            dims.push(fan_in);
        }
        dims.push(b.len());
    }
    if dims.is_empty() || arm.weights.len() != arm.biases.len() {
        return Err(bad());
    }
    Ok(dims)
}

/// Measures every layer of `arm` on `batch` (row-major `[rows, n_in]`); the output gradient is
/// drawn from `seed`. Hidden layers use `activation`, the output layer none (as in training).
pub fn measure(
    arm: &ArmWeights,
    activation: Activation,
    batch: &[f32],
    seed: u64,
) -> Result<Vec<LayerMeasurement>, TheoryError> {
    let dims = layer_dims(arm)?;
    if batch.is_empty() || !batch.len().is_multiple_of(dims[0]) {
        return Err(TheoryError::Dimensions(format!(
            "the batch has {} values, not a whole number of rows of {}",
            batch.len(),
            dims[0]
        )));
    }
    let rows = batch.len() / dims[0];
    let layers = arm.weights.len();
    let mut pre: Vec<Vec<f64>> = Vec::with_capacity(layers);
    let mut inputs: Vec<Vec<f64>> = Vec::with_capacity(layers);
    let mut x: Vec<f64> = batch.iter().map(|&v| f64::from(v)).collect();
    for l in 0..layers {
        let h = affine(&x, rows, &arm.weights[l], &arm.biases[l]);
        inputs.push(std::mem::replace(
            &mut x,
            h.iter().map(|&z| phi(activation, z)).collect(),
        ));
        pre.push(h);
    }
    let grads = backward(arm, activation, &pre, rows, dims[layers], seed);
    Ok((0..layers)
        .map(|l| {
            let mut m = layer_stats(l, &pre[l], rows, dims[l + 1], &grads[l]);
            m.weight_grad_sq = weight_grad_sq(&inputs[l], &grads[l], rows, dims[l], dims[l + 1]);
            m
        })
        .collect())
}

/// ||(1/rows) X^T Delta||_F^2: the squared norm of the weight gradient of the batch-mean loss,
/// with `x` the layer's inputs `[rows, n_in]` and `delta` its output gradients `[rows, n_out]`.
fn weight_grad_sq(x: &[f64], delta: &[f64], rows: usize, n_in: usize, n_out: usize) -> f64 {
    let mut g = vec![0.0; n_in * n_out];
    for r in 0..rows {
        let (xr, dr) = (
            &x[r * n_in..(r + 1) * n_in],
            &delta[r * n_out..(r + 1) * n_out],
        );
        for (i, &xi) in xr.iter().enumerate() {
            if xi != 0.0 {
                g[i * n_out..(i + 1) * n_out]
                    .iter_mut()
                    .zip(dr)
                    .for_each(|(gij, &d)| *gij += xi * d);
            }
        }
    }
    let n = rows.max(1) as f64;
    g.iter().map(|v| (v / n) * (v / n)).sum()
}

/// dL/dh^l for every layer, from a random output gradient: delta^l = phi'(h^l) * (delta^(l+1)
/// W^(l+1)^T).
fn backward(
    arm: &ArmWeights,
    activation: Activation,
    pre: &[Vec<f64>],
    rows: usize,
    n_out: usize,
    seed: u64,
) -> Vec<Vec<f64>> {
    let layers = pre.len();
    let mut rng = derive_rng(seed, &[GRADIENT_STREAM]);
    let mut delta: Vec<f64> = (0..rows * n_out)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let mut grads = vec![Vec::new(); layers];
    for l in (0..layers).rev() {
        if l + 1 < layers {
            let width = arm.biases[l].len();
            delta = times_transpose(&delta, rows, &arm.weights[l + 1], width);
            delta
                .iter_mut()
                .zip(&pre[l])
                .for_each(|(d, &z)| *d *= dphi(activation, z));
        }
        grads[l] = delta.clone();
    }
    grads
}

fn layer_stats(
    layer: usize,
    h: &[f64],
    rows: usize,
    width: usize,
    grad: &[f64],
) -> LayerMeasurement {
    let n = (rows * width).max(1) as f64;
    let q = h.iter().map(|v| v * v).sum::<f64>() / n;
    let mut means = vec![0.0; width];
    for row in h.chunks(width) {
        means.iter_mut().zip(row).for_each(|(m, &v)| *m += v);
    }
    means.iter_mut().for_each(|m| *m /= rows as f64);
    let unit_mean_sq = means.iter().map(|m| m * m).sum::<f64>() / width as f64;
    LayerMeasurement {
        layer,
        width,
        q,
        unit_mean_sq,
        unit_var: q - unit_mean_sq,
        correlation: mean_correlation(h, rows.min(CORRELATION_ROWS), width),
        grad_sq: grad.iter().map(|g| g * g).sum::<f64>() / rows as f64,
        weight_grad_sq: 0.0,
    }
}

/// Mean cosine similarity over pairs of the first `rows` rows (1 with fewer than two rows).
fn mean_correlation(h: &[f64], rows: usize, width: usize) -> f64 {
    let row = |r: usize| &h[r * width..(r + 1) * width];
    let norms: Vec<f64> = (0..rows)
        .map(|r| row(r).iter().map(|v| v * v).sum::<f64>().sqrt())
        .collect();
    let (mut sum, mut pairs) = (0.0, 0usize);
    for a in 0..rows {
        for b in a + 1..rows {
            if norms[a] > 0.0 && norms[b] > 0.0 {
                let dot: f64 = row(a).iter().zip(row(b)).map(|(x, y)| x * y).sum();
                sum += dot / (norms[a] * norms[b]);
                pairs += 1;
            }
        }
    }
    if pairs == 0 { 1.0 } else { sum / pairs as f64 }
}

/// Draws the arm of `init` exactly as a study does ([`init_arm`] with the study's seed and
/// repeat) and measures it on `batch`, `[rows, n_in]`. LSUV calibrates on `batch`: pass the
/// study's probe rows (`study::probe_rows`) to get the very arm the study trained.
pub fn measure_initializer(
    init: &Initializer,
    model: &ModelSpec,
    (n_in, n_out): (usize, usize),
    batch: &[f32],
    seed: u64,
    repeat: u64,
) -> Result<Vec<LayerMeasurement>, TheoryError> {
    let dims = model.dims(n_in, n_out);
    let arm = init_arm(
        init,
        &dims,
        model.init_settings(),
        seed,
        repeat,
        Some(batch),
    );
    measure(&arm, model.activation, batch, seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::InitSettings;

    /// A small arm with distinct, sign-mixed weights and biases: dims 3 -> 4 -> 2 -> 2.
    fn small_arm() -> ArmWeights {
        let dims = [3usize, 4, 2, 2];
        let value = |l: usize, i: usize| (((l * 37 + i * 11) % 17) as f32 - 8.0) / 9.0;
        ArmWeights {
            weights: (0..3)
                .map(|l| (0..dims[l] * dims[l + 1]).map(|i| value(l, i)).collect())
                .collect(),
            biases: (0..3)
                .map(|l| (0..dims[l + 1]).map(|i| value(l + 5, i) / 4.0).collect())
                .collect(),
            lsuv: None,
        }
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
            "{what}: measured {a}, reference {b}"
        );
    }

    /// Every measured number against a direct computation from the definitions, loop by loop.
    #[test]
    fn measurements_follow_their_definitions_on_a_small_network() {
        let arm = small_arm();
        let (rows, seed) = (5usize, 9u64);
        let batch: Vec<f32> = (0..rows * 3)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let measured = measure(&arm, Activation::Tanh, &batch, seed).expect("a chain of layers");
        let dims = [3usize, 4, 2, 2];

        // Forward: inputs[l] and pre-activations z[l], each [rows][width].
        let mut inputs: Vec<Vec<Vec<f64>>> = Vec::new();
        let mut zs: Vec<Vec<Vec<f64>>> = Vec::new();
        let mut x: Vec<Vec<f64>> = (0..rows)
            .map(|r| (0..3).map(|i| f64::from(batch[r * 3 + i])).collect())
            .collect();
        for l in 0..3 {
            let (fi, fo) = (dims[l], dims[l + 1]);
            let z: Vec<Vec<f64>> = x
                .iter()
                .map(|xr| {
                    (0..fo)
                        .map(|j| {
                            let dot: f64 = (0..fi)
                                .map(|i| xr[i] * f64::from(arm.weights[l][i * fo + j]))
                                .sum();
                            f64::from(arm.biases[l][j]) + dot
                        })
                        .collect()
                })
                .collect();
            inputs.push(x);
            x = z
                .iter()
                .map(|r| r.iter().map(|v| v.tanh()).collect())
                .collect();
            zs.push(z);
        }
        // Backward from the same N(0, 1) output gradient; the output layer has no activation.
        let mut rng = derive_rng(seed, &[GRADIENT_STREAM]);
        let mut delta: Vec<Vec<f64>> = (0..rows)
            .map(|_| (0..2).map(|_| StandardNormal.sample(&mut rng)).collect())
            .collect();
        let mut deltas = vec![Vec::new(); 3];
        for l in (0..3).rev() {
            if l < 2 {
                let (w, fo) = (&arm.weights[l + 1], dims[l + 2]);
                delta = (0..rows)
                    .map(|r| {
                        (0..dims[l + 1])
                            .map(|i| {
                                let back: f64 = (0..fo)
                                    .map(|j| delta[r][j] * f64::from(w[i * fo + j]))
                                    .sum();
                                back * (1.0 - zs[l][r][i].tanh().powi(2))
                            })
                            .collect()
                    })
                    .collect();
            }
            deltas[l] = delta.clone();
        }

        assert_eq!(measured.len(), 3);
        for (l, m) in measured.iter().enumerate() {
            let (z, width, n) = (&zs[l], dims[l + 1], rows as f64);
            assert_eq!((m.layer, m.width), (l, width));
            let q = z.iter().flatten().map(|v| v * v).sum::<f64>() / (n * width as f64);
            let unit_means: Vec<f64> = (0..width)
                .map(|j| z.iter().map(|r| r[j]).sum::<f64>() / n)
                .collect();
            let unit_mean_sq = unit_means.iter().map(|m| m * m).sum::<f64>() / width as f64;
            let unit_var = (0..width)
                .map(|j| {
                    z.iter()
                        .map(|r| (r[j] - unit_means[j]).powi(2))
                        .sum::<f64>()
                        / n
                })
                .sum::<f64>()
                / width as f64;
            let cos = |a: &[f64], b: &[f64]| {
                let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
                dot / (norm(a) * norm(b))
            };
            let pairs: Vec<f64> = (0..rows)
                .flat_map(|a| (a + 1..rows).map(move |b| (a, b)))
                .map(|(a, b)| cos(&z[a], &z[b]))
                .collect();
            let correlation = pairs.iter().sum::<f64>() / pairs.len() as f64;
            let grad_sq = deltas[l].iter().flatten().map(|g| g * g).sum::<f64>() / n;
            let weight_grad_sq: f64 = (0..dims[l])
                .flat_map(|i| (0..width).map(move |j| (i, j)))
                .map(|(i, j)| {
                    let g: f64 = (0..rows).map(|r| inputs[l][r][i] * deltas[l][r][j]).sum();
                    (g / n).powi(2)
                })
                .sum();
            close(m.q, q, "q");
            close(m.unit_mean_sq, unit_mean_sq, "unit_mean_sq");
            close(m.unit_var, unit_var, "unit_var");
            close(m.correlation, correlation, "correlation");
            close(m.grad_sq, grad_sq, "grad_sq");
            close(m.weight_grad_sq, weight_grad_sq, "weight_grad_sq");
            assert!(
                m.weight_grad_sq > 0.0 && m.unit_mean_sq > 0.0,
                "layer {l} is not trivial"
            );
        }
    }

    #[test]
    fn rows_of_zeros_are_left_out_of_the_correlation() {
        // Rows: (1, 0), (0, 0), (1, 1): only the pair of nonzero rows counts, cos = 1/sqrt(2).
        let h = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0];
        close(mean_correlation(&h, 3, 2), 0.5f64.sqrt(), "one pair");
        close(
            mean_correlation(&h[..4], 2, 2),
            1.0,
            "no pair: 1 by convention",
        );
    }

    #[test]
    fn shapes_that_do_not_chain_are_refused() {
        let ok = small_arm();
        assert_eq!(layer_dims(&ok).expect("chains"), vec![3, 4, 2, 2]);
        let broken = |f: &dyn Fn(&mut ArmWeights)| {
            let mut a = small_arm();
            f(&mut a);
            layer_dims(&a).is_err()
        };
        assert!(broken(&|a| a.biases[1].clear()), "an empty bias");
        assert!(broken(&|a| a.weights[1].clear()), "empty weights");
        assert!(
            broken(&|a| a.weights[1].push(0.5)),
            "weights not a multiple of the bias"
        );
        assert!(
            broken(&|a| a.weights[1].truncate(6)),
            "fan-in 3 after a layer of 4"
        );
        assert!(
            broken(&|a| {
                a.biases.pop();
            }),
            "a layer without a bias"
        );
        let nothing = ArmWeights {
            weights: vec![],
            biases: vec![],
            lsuv: None,
        };
        assert!(layer_dims(&nothing).is_err(), "no layers");

        let batch = [0.5f32; 6];
        assert!(measure(&ok, Activation::Tanh, &batch, 1).is_ok());
        assert!(
            measure(&ok, Activation::Tanh, &[], 1).is_err(),
            "an empty batch"
        );
        assert!(
            measure(&ok, Activation::Tanh, &batch[..5], 1).is_err(),
            "a partial row"
        );
    }

    #[test]
    fn measure_initializer_measures_the_arm_a_study_draws() {
        let model = ModelSpec {
            hidden: vec![6, 5],
            ..ModelSpec::default()
        };
        let init: Initializer = "xavier-normal".parse().expect("a known initializer");
        let batch: Vec<f32> = (0..4 * 3).map(|i| (i as f32 - 6.0) / 4.0).collect();
        let got = measure_initializer(&init, &model, (3, 2), &batch, 21, 1).expect("measures");
        let settings: InitSettings = model.init_settings();
        let arm = init_arm(&init, &model.dims(3, 2), settings, 21, 1, Some(&batch));
        let want = measure(&arm, model.activation, &batch, 21).expect("measures");
        assert_eq!(got.len(), 3);
        assert_eq!(got, want);
    }
}
