//! SGD, momentum and Adam on stacked parameters, with PyTorch's semantics and defaults.
//!
//! Written here rather than taken from `burn::optim` because the engine must reach into every
//! arm's slice of the state: when one arm diverges, its weights and moments are reset so that it
//! stays finite and frozen while the others carry on. Each update is elementwise, so stacking arms
//! changes nothing about any one arm's trajectory.

use std::fmt;
use std::str::FromStr;

use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Sgd,
    /// Heavy-ball momentum as in PyTorch's `SGD(momentum=..., dampening=0)`; Nesterov optional.
    Momentum,
    Adam,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 3] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OptimizerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sgd" => Ok(OptimizerKind::Sgd),
            "momentum" | "sgd-momentum" => Ok(OptimizerKind::Momentum),
            "adam" => Ok(OptimizerKind::Adam),
            other => Err(format!(
                "unknown optimizer '{other}' (valid: sgd, momentum, adam)"
            )),
        }
    }
}

/// Optimizer settings. Defaults are PyTorch's (Burn's differ: Adam eps 1e-5, dampening 0.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerSpec {
    pub kind: OptimizerKind,
    pub momentum: f64,
    pub nesterov: bool,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl Default for OptimizerSpec {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            momentum: 0.9,
            nesterov: false,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// Per-parameter state on the host: the momentum buffer, or Adam's first and second moments.
#[derive(Clone, Default)]
struct State {
    first: Vec<f32>,
    second: Vec<f32>,
}

/// The optimizer over a fixed list of stacked parameters (in the order the engine passes them).
///
/// The update runs as one fused loop over host memory: Burn's CPU backend would run each of
/// Adam's dozen elementwise operations as its own pass with its own allocation, which cost about
/// a fifth of a training step.
pub struct Optimizer {
    spec: OptimizerSpec,
    lr: f64,
    step: i32,
    states: Vec<State>,
}

impl Optimizer {
    pub fn new(spec: &OptimizerSpec, lr: f64, n_params: usize) -> Self {
        Self {
            spec: spec.clone(),
            lr,
            step: 0,
            states: vec![State::default(); n_params],
        }
    }

    /// Starts a step: Adam's bias corrections depend on the step count.
    pub fn begin_step(&mut self) {
        self.step += 1;
    }

    /// The updated value of parameter `i` given its gradient (both without autodiff).
    pub fn update(&mut self, i: usize, param: Tensor<3>, grad: Tensor<3>) -> Tensor<3> {
        let shape = param.dims();
        let device = param.device();
        let mut p = host(param);
        let g = host(grad);
        let s = &self.spec;
        let st = &mut self.states[i];
        let lr = self.lr as f32;
        match s.kind {
            OptimizerKind::Sgd => p.iter_mut().zip(&g).for_each(|(p, g)| *p -= lr * g),
            OptimizerKind::Momentum => {
                // PyTorch: buf = mu * buf + g (first step: buf = g); nesterov: g + mu * buf.
                let mu = s.momentum as f32;
                if st.first.len() != g.len() {
                    st.first = g.clone();
                } else {
                    st.first
                        .iter_mut()
                        .zip(&g)
                        .for_each(|(b, g)| *b = mu * *b + g);
                }
                for ((p, g), b) in p.iter_mut().zip(&g).zip(&st.first) {
                    let d = if s.nesterov { g + mu * b } else { *b };
                    *p -= lr * d;
                }
            }
            OptimizerKind::Adam => {
                if st.first.len() != g.len() {
                    st.first = vec![0.0; g.len()];
                    st.second = vec![0.0; g.len()];
                }
                // PyTorch: denom = sqrt(v) / sqrt(1 - b2^t) + eps; w -= lr / (1 - b1^t) * m / denom.
                let (b1, b2) = (s.beta1 as f32, s.beta2 as f32);
                let bc1 = 1.0 - s.beta1.powi(self.step);
                let bc2 = 1.0 - s.beta2.powi(self.step);
                let step_size = (self.lr / bc1) as f32;
                let inv_bc2_sqrt = (1.0 / bc2.sqrt()) as f32;
                let eps = s.eps as f32;
                for (((p, g), m), v) in p
                    .iter_mut()
                    .zip(&g)
                    .zip(st.first.iter_mut())
                    .zip(st.second.iter_mut())
                {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *p -= step_size * *m / (v.sqrt() * inv_bc2_sqrt + eps);
                }
            }
        }
        Tensor::from_data(TensorData::new(p, shape), &device)
    }

    /// Zeroes arm `arm`'s slice of every state buffer (after it diverged), so it stays finite.
    pub fn reset_arm(&mut self, arm: usize, arms: usize) {
        for st in &mut self.states {
            for buf in [&mut st.first, &mut st.second] {
                let per_arm = buf.len() / arms.max(1);
                if let Some(slice) = buf.get_mut(arm * per_arm..(arm + 1) * per_arm) {
                    slice.fill(0.0);
                }
            }
        }
    }
}

fn host(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap_or_default()
}

/// `t` with its slice `[arm, .., ..]` set to zero (overwriting NaN and infinity).
pub fn zero_arm(t: Tensor<3>, arm: usize) -> Tensor<3> {
    let [_, d1, d2] = t.dims();
    let zeros = Tensor::zeros([1, d1, d2], &t.device());
    t.slice_assign([arm..arm + 1, 0..d1, 0..d2], zeros)
}
