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
