//! SGD, momentum and Adam on stacked parameters, with PyTorch's semantics and defaults.
//!
//! Written here rather than taken from `burn::optim` because the engine must reach into every
//! arm's slice of the state: when one arm diverges, its weights and moments are reset so that it
//! stays finite and frozen while the others carry on. Each update is elementwise, so stacking arms
//! changes nothing about any one arm's trajectory.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Tensor;
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

/// Per-parameter state: the momentum buffer, or Adam's first and second moments.
#[derive(Clone, Default)]
struct State {
    first: Option<Tensor<3>>,
    second: Option<Tensor<3>>,
}

/// The optimizer over a fixed list of stacked parameters (in the order the engine passes them).
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
        let lr = self.lr;
        let s = &self.spec;
        match s.kind {
            OptimizerKind::Sgd => param - grad.mul_scalar(lr),
            OptimizerKind::Momentum => {
                // PyTorch: buf = mu * buf + g (first step: buf = g); nesterov: g + mu * buf.
                let buf = match self.states[i].first.take() {
                    Some(buf) => buf.mul_scalar(s.momentum) + grad.clone(),
                    None => grad.clone(),
                };
                let direction = if s.nesterov {
                    grad + buf.clone().mul_scalar(s.momentum)
                } else {
                    buf.clone()
                };
                self.states[i].first = Some(buf);
                param - direction.mul_scalar(lr)
            }
            OptimizerKind::Adam => {
                let st = &mut self.states[i];
                let (m, v) = match (st.first.take(), st.second.take()) {
                    (Some(m), Some(v)) => (
                        m.mul_scalar(s.beta1) + grad.clone().mul_scalar(1.0 - s.beta1),
                        v.mul_scalar(s.beta2) + grad.square().mul_scalar(1.0 - s.beta2),
                    ),
                    _ => (
                        grad.clone().mul_scalar(1.0 - s.beta1),
                        grad.square().mul_scalar(1.0 - s.beta2),
                    ),
                };
                // PyTorch: denom = sqrt(v) / sqrt(1 - b2^t) + eps; w -= lr / (1 - b1^t) * m / denom.
                let bc1 = 1.0 - s.beta1.powi(self.step);
                let bc2 = 1.0 - s.beta2.powi(self.step);
                let denom = v
                    .clone()
                    .sqrt()
                    .mul_scalar(1.0 / bc2.sqrt())
                    .add_scalar(s.eps);
                let out = param - m.clone().div(denom).mul_scalar(lr / bc1);
                self.states[i] = State {
                    first: Some(m),
                    second: Some(v),
                };
                out
            }
        }
    }

    /// Zeroes arm `arm`'s slice of every state tensor (after it diverged).
    pub fn reset_arm(&mut self, arm: usize) {
        for st in &mut self.states {
            st.first = st.first.take().map(|t| zero_arm(t, arm));
            st.second = st.second.take().map(|t| zero_arm(t, arm));
        }
    }
}

/// `t` with its slice `[arm, .., ..]` set to zero (overwriting NaN and infinity).
pub fn zero_arm(t: Tensor<3>, arm: usize) -> Tensor<3> {
    let [_, d1, d2] = t.dims();
    let zeros = Tensor::zeros([1, d1, d2], &t.device());
    t.slice_assign([arm..arm + 1, 0..d1, 0..d2], zeros)
}
