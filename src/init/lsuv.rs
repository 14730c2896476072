//! Layer-sequential unit-variance initialization (Mishkin & Matas 2015, "All you need is a good
//! init"): start orthogonal, then, layer by layer, divide the weights by the standard deviation
//! of the layer's output on a training batch until its variance is 1 within a tolerance.

use serde::{Deserialize, Serialize};

use crate::activation::Activation;

/// The paper's defaults.
pub const LSUV_TOLERANCE: f32 = 0.1;
pub const LSUV_MAX_ITERATIONS: usize = 10;
/// Training rows in the batch LSUV looks at.
pub const LSUV_BATCH: usize = 256;

/// What LSUV did to each layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LsuvLayer {
    /// Output variance after the last rescaling.
    pub variance: f32,
    pub iterations: usize,
}

/// Rescales `weights` in place. `dims[l]..dims[l+1]` are layer `l`'s fans; `batch` is
/// row-major `[rows, dims[0]]`. Hidden layers are followed by `activation`; the output layer's
/// variance is normalised too, as in the paper.
pub fn lsuv(
    weights: &mut [Vec<f32>],
    biases: &[Vec<f32>],
    dims: &[usize],
    activation: Activation,
    batch: &[f32],
) -> Vec<LsuvLayer> {
    let rows = batch.len() / dims[0].max(1);
    let mut input = batch.to_vec();
    let mut report = Vec::with_capacity(weights.len());
    let last = weights.len().saturating_sub(1);
    for l in 0..weights.len() {
        let (fan_in, fan_out) = (dims[l], dims[l + 1]);
        let mut out = linear(&input, rows, fan_in, &weights[l], &biases[l], fan_out);
        let mut var = variance(&out);
        let mut iterations = 0;
        while (var - 1.0).abs() > LSUV_TOLERANCE && iterations < LSUV_MAX_ITERATIONS && var > 0.0 {
            let scale = 1.0 / var.sqrt();
            weights[l].iter_mut().for_each(|w| *w *= scale);
            out = linear(&input, rows, fan_in, &weights[l], &biases[l], fan_out);
            var = variance(&out);
            iterations += 1;
        }
        report.push(LsuvLayer {
            variance: var,
            iterations,
        });
        if l < last {
            out.iter_mut().for_each(|z| *z = activation.apply(*z));
        }
        input = out;
    }
    report
}

/// `x [rows, fan_in] @ w [fan_in, fan_out] + b`, on the host.
pub fn linear(
    x: &[f32],
    rows: usize,
    fan_in: usize,
    w: &[f32],
    b: &[f32],
    fan_out: usize,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows * fan_out);
    for r in 0..rows {
        out.extend_from_slice(b);
        let o = &mut out[r * fan_out..(r + 1) * fan_out];
        for (i, &xi) in x[r * fan_in..(r + 1) * fan_in].iter().enumerate() {
            if xi != 0.0 {
                for (oj, &wij) in o.iter_mut().zip(&w[i * fan_out..(i + 1) * fan_out]) {
                    *oj += xi * wij;
                }
            }
        }
    }
    out
}

/// Population variance, accumulated in f64.
pub fn variance(v: &[f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    (v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n) as f32
}
