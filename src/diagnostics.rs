//! Per-layer diagnostics that show *why* an initializer fails: saturation, vanishing or
//! exploding signals, dead ReLUs, symmetric (identical) hidden units, gradient and weight norms.
//! Measured for every arm on one fixed probe batch of training rows, at initialization and after
//! every epoch, from the stacked module's own forward pass.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::model::forward_visiting;
use crate::model::host::to_vec;

/// Rows in the probe batch (also LSUV's calibration batch).
pub const PROBE_ROWS: usize = 128;
/// Bins of the activation histograms.
pub const HISTOGRAM_BINS: usize = 40;
/// |tanh| above this (or sigmoid outside [1 - this, this]) counts as saturated.
pub const SATURATION: f32 = 0.99;
/// Units whose incoming weights and bias agree within this are the same unit.
pub const SAME_UNIT: f32 = 1e-6;

/// One layer of one arm at one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// Pre-activation (the linear layer's output) over every unit and probe row.
    pub pre_mean: f64,
    pub pre_std: f64,
    /// Activation (equal to the pre-activation on the output layer).
    pub act_mean: f64,
    pub act_std: f64,
    /// tanh / sigmoid / softsign hidden layers: the fraction of unit-row values in saturation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturated: Option<f64>,
    /// ReLU hidden layers: the fraction of units that are zero on the whole probe batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead: Option<f64>,
    /// Frobenius norm of the weight gradient (at epoch 0: the first step's gradient; later: the
    /// last step of the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grad_norm: Option<f64>,
    pub weight_norm: f64,
    /// Hidden units with distinct incoming weights and bias (within 1e-6); the layer's width
    /// when symmetry is broken, 1 when every unit is the same.
    pub distinct_units: usize,
}

/// Every layer of one arm after one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochDiagnostics {
    pub epoch: usize,
    pub layers: Vec<LayerStats>,
}

/// Activation histogram of one hidden layer over the probe batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u32>,
}

/// Everything measured for one arm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunDiagnostics {
    pub epochs: Vec<EpochDiagnostics>,
    /// Per hidden layer, at initialization and after the last epoch.
    pub histograms_init: Vec<Histogram>,
    pub histograms_final: Vec<Histogram>,
}

/// The fixed probe batch on the device, and how to measure with it.
pub struct Probe {
    x: Tensor<3>,
    rows: usize,
    activation: Activation,
}

/// Host copies of one forward pass: per layer, `[arms, rows, width]` pre-activations and
/// activations.
pub struct Captured {
    pub z: Vec<Vec<f32>>,
    pub h: Vec<Vec<f32>>,
    pub widths: Vec<usize>,
}

impl Probe {
    /// `rows` is row-major `[n, n_inputs]`.
    pub fn new(rows: &[f32], n_inputs: usize, activation: Activation, device: &Device) -> Self {
        let n = rows.len() / n_inputs.max(1);
        let x = Tensor::from_data(TensorData::new(rows.to_vec(), [1, n, n_inputs]), device);
        Self {
            x,
            rows: n,
            activation,
        }
    }

    /// Runs the probe batch through `params` and copies every layer's values to the host.
    pub fn capture(&self, params: &[Tensor<3>]) -> Captured {
        let mut z = Vec::new();
        let mut h = Vec::new();
        let mut widths = Vec::new();
        forward_visiting(params, self.x.clone(), self.activation, &mut |_, zt, ht| {
            widths.push(zt.dims()[2]);
            z.push(to_vec(zt.clone()));
            h.push(to_vec(ht.clone()));
        });
        Captured { z, h, widths }
    }

    /// Statistics of every arm's layers. `weights[l]` / `biases[l]` are host copies of the stacked
    /// parameters; `grad_norms[l][a]` the weight-gradient norms, when known.
    pub fn stats(
        &self,
        epoch: usize,
        c: &Captured,
        weights: &[Vec<f32>],
        biases: &[Vec<f32>],
        dims: &[usize],
        grad_norms: Option<&[Vec<f64>]>,
    ) -> Vec<EpochDiagnostics> {
        let layers = c.widths.len();
        let arms =
            c.z.first()
                .map_or(0, |z| z.len() / (self.rows * c.widths[0]).max(1));
        (0..arms)
            .map(|a| EpochDiagnostics {
                epoch,
                layers: (0..layers)
                    .map(|l| {
                        let width = c.widths[l];
                        let span = self.rows * width;
                        let z = &c.z[l][a * span..(a + 1) * span];
                        let h = &c.h[l][a * span..(a + 1) * span];
                        let hidden = l + 1 < layers;
                        let (fan_in, fan_out) = (dims[l], dims[l + 1]);
                        let w = &weights[l][a * fan_in * fan_out..(a + 1) * fan_in * fan_out];
                        let b = &biases[l][a * fan_out..(a + 1) * fan_out];
                        let m = layer_moments(z, h, self.rows, width, hidden, self.activation);
                        LayerStats {
                            pre_mean: m.pre_mean,
                            pre_std: m.pre_std,
                            act_mean: m.act_mean,
                            act_std: m.act_std,
                            saturated: m.saturated,
                            dead: m.dead,
                            grad_norm: grad_norms.map(|g| g[l][a]),
                            weight_norm: w
                                .iter()
                                .map(|&v| (v as f64) * (v as f64))
                                .sum::<f64>()
                                .sqrt(),
                            distinct_units: distinct_units(w, b, fan_in, fan_out),
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    /// Histograms of every hidden layer's activations, per arm. Bounded activations use their
    /// natural range; others share one range across arms so the arms can be compared.
    pub fn histograms(&self, c: &Captured, arms: usize) -> Vec<Vec<Histogram>> {
        let hidden = c.widths.len().saturating_sub(1);
        let ranges: Vec<(f64, f64)> = (0..hidden)
            .map(|l| match self.activation {
                Activation::Tanh | Activation::Softsign => (-1.0, 1.0),
                Activation::Sigmoid => (0.0, 1.0),
                _ => {
                    let finite = c.h[l].iter().filter(|v| v.is_finite());
                    let (lo, hi) = finite
                        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                            (lo.min(v), hi.max(v))
                        });
                    if lo.is_finite() && hi > lo {
                        (lo as f64, hi as f64)
                    } else {
                        (lo.min(0.0) as f64, lo.max(0.0) as f64 + 1.0)
                    }
                }
            })
            .collect();
        (0..arms)
            .map(|a| {
                (0..hidden)
                    .map(|l| {
                        let span = self.rows * c.widths[l];
                        histogram(
                            &c.h[l][a * span..(a + 1) * span],
                            ranges[l].0,
                            ranges[l].1,
                            HISTOGRAM_BINS,
                        )
                    })
                    .collect()
            })
            .collect()
    }
}

/// The value statistics of one layer of one arm.
struct Moments {
    pre_mean: f64,
    pre_std: f64,
    act_mean: f64,
    act_std: f64,
    saturated: Option<f64>,
    dead: Option<f64>,
}

/// Everything about a layer's values in one pass over the `[rows, width]` pre-activations and
/// activations (the diagnostics run every epoch, so they must stay cheap). Sums are in f64,
/// shifted by the first value to keep the variance accurate, and kept per column while the rows
/// stream by: independent sums vectorize, where one running sum waited on each add in turn
/// (profiled at 3.7% of the deep sweep).
fn layer_moments(
    z: &[f32],
    h: &[f32],
    rows: usize,
    width: usize,
    hidden: bool,
    act: Activation,
) -> Moments {
    let n = z.len().max(1) as f64;
    let (z0, h0) = (
        z.first().copied().unwrap_or(0.0) as f64,
        h.first().copied().unwrap_or(0.0) as f64,
    );
    // Per column: sum and sum of squares of z and of h, saturated count, and alive.
    let (mut sz, mut szz) = (vec![0f64; width], vec![0f64; width]);
    let (mut sh, mut shh) = (vec![0f64; width], vec![0f64; width]);
    let mut saturated = vec![0u32; width];
    let mut alive = vec![false; width];
    let (sat_lo, sat_hi, check_sat) = match act {
        Activation::Tanh | Activation::Softsign => (-SATURATION, SATURATION, hidden),
        Activation::Sigmoid => (1.0 - SATURATION, SATURATION, hidden),
        _ => (0.0, 0.0, false),
    };
    for (zr, hr) in z
        .chunks_exact(width.max(1))
        .zip(h.chunks_exact(width.max(1)))
        .take(rows)
    {
        for j in 0..width {
            let (zv, hv) = (zr[j] as f64 - z0, hr[j] as f64 - h0);
            sz[j] += zv;
            szz[j] += zv * zv;
            sh[j] += hv;
            shh[j] += hv * hv;
            saturated[j] += u32::from(!(sat_lo..=sat_hi).contains(&hr[j]));
            alive[j] |= hr[j] > 0.0;
        }
    }
    let total = |v: &[f64]| v.iter().sum::<f64>();
    let (sz, szz, sh, shh) = (total(&sz), total(&szz), total(&sh), total(&shh));
    let saturated: u64 = saturated.iter().map(|&c| u64::from(c)).sum();
    let std = |s: f64, ss: f64| ((ss / n - (s / n).powi(2)).max(0.0)).sqrt();
    Moments {
        pre_mean: z0 + sz / n,
        pre_std: std(sz, szz),
        act_mean: h0 + sh / n,
        act_std: std(sh, shh),
        saturated: check_sat.then(|| saturated as f64 / n),
        dead: (hidden && act == Activation::Relu && width > 0)
            .then(|| alive.iter().filter(|a| !**a).count() as f64 / width.max(1) as f64),
    }
}

/// Hidden units with distinct incoming weights and bias. Units are compared with the
/// representatives found so far; a comparison stops at the first differing weight, so random
/// layers cost about one comparison per pair.
pub fn distinct_units(w: &[f32], b: &[f32], fan_in: usize, fan_out: usize) -> usize {
    let same = |j: usize, k: usize| {
        (b[j] - b[k]).abs() <= SAME_UNIT
            && (0..fan_in).all(|i| (w[i * fan_out + j] - w[i * fan_out + k]).abs() <= SAME_UNIT)
    };
    let mut reps: Vec<usize> = Vec::new();
    for j in 0..fan_out {
        if !reps.iter().any(|&k| same(j, k)) {
            reps.push(j);
        }
    }
    reps.len()
}

pub fn histogram(v: &[f32], lo: f64, hi: f64, bins: usize) -> Histogram {
    let mut counts = vec![0u32; bins];
    let width = (hi - lo).max(1e-12) / bins as f64;
    for &x in v.iter().filter(|x| x.is_finite()) {
        let k = (((x as f64) - lo) / width)
            .floor()
            .clamp(0.0, (bins - 1) as f64) as usize;
        counts[k] += 1;
    }
    Histogram { lo, hi, counts }
}
