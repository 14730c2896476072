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

use crate::model::host;
use crate::multiversion;
use crate::simd::Arith;

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
    /// Per-parameter learning-rate multipliers (muP's per-layer rates); 1 where absent, which
    /// leaves the update bit-identical to PyTorch's.
    multipliers: Vec<f64>,
    step: i32,
    states: Vec<State>,
}

impl Optimizer {
    pub fn new(spec: &OptimizerSpec, lr: f64, n_params: usize) -> Self {
        Self {
            spec: spec.clone(),
            lr,
            multipliers: Vec::new(),
            step: 0,
            states: vec![State::default(); n_params],
        }
    }

    /// The optimizer with parameter `i`'s learning rate multiplied by `multipliers[i]`.
    pub fn with_multipliers(mut self, multipliers: Vec<f64>) -> Self {
        self.multipliers = multipliers;
        self
    }

    /// Starts a step: Adam's bias corrections depend on the step count.
    pub fn begin_step(&mut self) {
        self.step += 1;
    }

    /// The updated value of parameter `i` given its gradient (both without autodiff).
    pub fn update(&mut self, i: usize, param: Tensor<3>, grad: Tensor<3>) -> Tensor<3> {
        let s = &self.spec;
        let st = &mut self.states[i];
        let lr64 = self.lr * self.multipliers.get(i).copied().unwrap_or(1.0);
        let lr = lr64 as f32;
        let step = self.step;
        host::read(grad, |g| {
            host::update_in_place(param, |p| match s.kind {
                OptimizerKind::Sgd => p.iter_mut().zip(g).for_each(|(p, g)| *p -= lr * g),
                OptimizerKind::Momentum => {
                    // PyTorch: buf = mu * buf + g (first step: buf = g); nesterov: g + mu * buf.
                    let mu = s.momentum as f32;
                    if st.first.len() != g.len() {
                        st.first = g.to_vec();
                    } else {
                        st.first
                            .iter_mut()
                            .zip(g)
                            .for_each(|(b, g)| *b = mu * *b + g);
                    }
                    for ((p, g), b) in p.iter_mut().zip(g).zip(&st.first) {
                        let d = if s.nesterov { g + mu * b } else { *b };
                        *p -= lr * d;
                    }
                }
                OptimizerKind::Adam => {
                    if st.first.len() != g.len() {
                        st.first = vec![0.0; g.len()];
                        st.second = vec![0.0; g.len()];
                    }
                    let bc1 = 1.0 - s.beta1.powi(step);
                    let bc2 = 1.0 - s.beta2.powi(step);
                    let h = AdamStep {
                        b1: s.beta1 as f32,
                        b2: s.beta2 as f32,
                        step_size: (lr64 / bc1) as f32,
                        inv_bc2_sqrt: (1.0 / bc2.sqrt()) as f32,
                        eps: s.eps as f32,
                    };
                    adam(p, g, &mut st.first, &mut st.second, h);
                }
            })
        })
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

/// `t` with its slice `[arm, .., ..]` set to zero (overwriting NaN and infinity).
pub fn zero_arm(t: Tensor<3>, arm: usize) -> Tensor<3> {
    let [_, d1, d2] = t.dims();
    let zeros = Tensor::zeros([1, d1, d2], &t.device());
    t.slice_assign([arm..arm + 1, 0..d1, 0..d2], zeros)
}

/// One Adam step's scalars (bias corrections folded in).
#[derive(Clone, Copy)]
struct AdamStep {
    b1: f32,
    b2: f32,
    step_size: f32,
    inv_bc2_sqrt: f32,
    eps: f32,
}

multiversion! {
    /// PyTorch's Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    /// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    fn adam(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], h: AdamStep) => adam_with
}

#[inline(always)]
fn adam_with<M: Arith>(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], h: AdamStep) {
    let n = p.len().min(g.len()).min(m.len()).min(v.len());
    let (p, g, m, v) = (&mut p[..n], &g[..n], &mut m[..n], &mut v[..n]);
    for i in 0..n {
        let gi = g[i];
        m[i] = M::madd(h.b1, m[i], (1.0 - h.b1) * gi);
        v[i] = M::madd(h.b2, v[i], (1.0 - h.b2) * gi * gi);
        p[i] -= h.step_size * m[i] / M::madd(v[i].sqrt(), h.inv_bc2_sqrt, h.eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Plain;

    /// Both builds of the Adam loop follow PyTorch's formula, computed here in f64.
    #[test]
    fn adam_loop_matches_the_formula_in_f64() {
        type Loop = fn(&mut [f32], &[f32], &mut [f32], &mut [f32], AdamStep);
        let versions: [(&str, Loop); 2] = [("dispatched", adam), ("plain", adam_with::<Plain>)];
        let (b1, b2, lr, eps) = (0.9f64, 0.999f64, 1e-3f64, 1e-8f64);
        for (name, step_fn) in versions {
            let n = 37;
            let (mut p, mut m, mut v) = (vec![0.5f32; n], vec![0.0f32; n], vec![0.0f32; n]);
            let (mut pr, mut mr, mut vr) = (vec![0.5f64; n], vec![0.0f64; n], vec![0.0f64; n]);
            for t in 1..=5 {
                let g: Vec<f32> = (0..n).map(|i| ((i * t) as f32 * 0.7).sin()).collect();
                let (bc1, bc2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
                let h = AdamStep {
                    b1: b1 as f32,
                    b2: b2 as f32,
                    step_size: (lr / bc1) as f32,
                    inv_bc2_sqrt: (1.0 / bc2.sqrt()) as f32,
                    eps: eps as f32,
                };
                step_fn(&mut p, &g, &mut m, &mut v, h);
                for i in 0..n {
                    let gi = g[i] as f64;
                    mr[i] = b1 * mr[i] + (1.0 - b1) * gi;
                    vr[i] = b2 * vr[i] + (1.0 - b2) * gi * gi;
                    pr[i] -= lr / bc1 * mr[i] / (vr[i].sqrt() / bc2.sqrt() + eps);
                }
            }
            for i in 0..n {
                assert!(
                    (p[i] as f64 - pr[i]).abs() < 1e-6,
                    "{name}: {} vs {}",
                    p[i],
                    pr[i]
                );
            }
        }
    }

    /// f64 transcription of `torch.optim`'s single-tensor update rules (PyTorch 2.x,
    /// `torch/optim/sgd.py::_single_tensor_sgd` with dampening 0 and no weight decay, and
    /// `torch/optim/adam.py::_single_tensor_adam` with amsgrad off).
    struct Reference {
        kind: OptimizerKind,
        nesterov: bool,
        lr: f64,
        mu: f64,
        b1: f64,
        b2: f64,
        eps: f64,
        step: i32,
        buf: Option<Vec<f64>>,
        m: Vec<f64>,
        v: Vec<f64>,
    }

    impl Reference {
        fn step(&mut self, p: &mut [f64], g: &[f64]) {
            self.step += 1;
            match self.kind {
                OptimizerKind::Sgd => p.iter_mut().zip(g).for_each(|(p, g)| *p -= self.lr * g),
                OptimizerKind::Momentum => {
                    let buf = match self.buf.take() {
                        None => g.to_vec(),
                        Some(b) => b.iter().zip(g).map(|(b, g)| self.mu * b + g).collect(),
                    };
                    for i in 0..p.len() {
                        let d = if self.nesterov {
                            g[i] + self.mu * buf[i]
                        } else {
                            buf[i]
                        };
                        p[i] -= self.lr * d;
                    }
                    self.buf = Some(buf);
                }
                OptimizerKind::Adam => {
                    if self.m.is_empty() {
                        self.m = vec![0.0; p.len()];
                        self.v = vec![0.0; p.len()];
                    }
                    let bc1 = 1.0 - self.b1.powi(self.step);
                    let bc2 = 1.0 - self.b2.powi(self.step);
                    for i in 0..p.len() {
                        self.m[i] = self.b1 * self.m[i] + (1.0 - self.b1) * g[i];
                        self.v[i] = self.b2 * self.v[i] + (1.0 - self.b2) * g[i] * g[i];
                        let denom = self.v[i].sqrt() / bc2.sqrt() + self.eps;
                        p[i] -= self.lr / bc1 * self.m[i] / denom;
                    }
                }
            }
        }
    }

    const SHAPE: [usize; 3] = [2, 3, 4];

    fn tensor(v: &[f32]) -> Tensor<3> {
        Tensor::from_data(
            burn::tensor::TensorData::new(v.to_vec(), SHAPE),
            &burn::tensor::Device::flex(),
        )
    }

    fn gradient(t: usize) -> Vec<f32> {
        (0..24)
            .map(|i| ((i * 7 + t * 3) as f32 * 0.37).sin() * (1.0 + t as f32))
            .collect()
    }

    fn specs() -> Vec<(&'static str, OptimizerSpec)> {
        let base = OptimizerSpec::default();
        vec![
            (
                "sgd",
                OptimizerSpec {
                    kind: OptimizerKind::Sgd,
                    ..base.clone()
                },
            ),
            (
                "momentum",
                OptimizerSpec {
                    kind: OptimizerKind::Momentum,
                    ..base.clone()
                },
            ),
            (
                "nesterov",
                OptimizerSpec {
                    kind: OptimizerKind::Momentum,
                    nesterov: true,
                    ..base.clone()
                },
            ),
            (
                "adam",
                OptimizerSpec {
                    beta2: 0.99,
                    eps: 1e-3,
                    ..base
                },
            ),
        ]
    }

    /// Every optimizer over five steps on a stacked tensor equals PyTorch's rules in f64: the
    /// step count, both bias corrections, the first momentum step (buf = g) and Nesterov.
    #[test]
    fn every_optimizer_matches_torch_optim_over_five_steps() {
        let lr = 0.05;
        for (name, spec) in specs() {
            let mut opt = Optimizer::new(&spec, lr, 1);
            let mut r = Reference {
                kind: spec.kind,
                nesterov: spec.nesterov,
                lr,
                mu: spec.momentum,
                b1: spec.beta1,
                b2: spec.beta2,
                eps: spec.eps,
                step: 0,
                buf: None,
                m: Vec::new(),
                v: Vec::new(),
            };
            let init: Vec<f32> = (0..24).map(|i| (i as f32 * 0.1).cos()).collect();
            let mut p = tensor(&init);
            let mut pr: Vec<f64> = init.iter().map(|&x| x as f64).collect();
            for t in 1..=5 {
                let g = gradient(t);
                opt.begin_step();
                p = opt.update(0, p, tensor(&g));
                r.step(&mut pr, &g.iter().map(|&x| x as f64).collect::<Vec<_>>());
                let got = host::to_vec(p.clone());
                for i in 0..24 {
                    let tol = 1e-5 * (1.0 + pr[i].abs());
                    assert!(
                        (got[i] as f64 - pr[i]).abs() < tol,
                        "{name} step {t} element {i}: {} vs {}",
                        got[i],
                        pr[i]
                    );
                }
            }
        }
    }

    /// A multiplier of 1 leaves every optimizer bit-identical to none; 0.5 under SGD halves
    /// the step (muP's per-layer learning rates go through the same path).
    #[test]
    fn multipliers_scale_the_step_and_one_changes_nothing() {
        let init: Vec<f32> = (0..24).map(|i| (i as f32 * 0.1).cos()).collect();
        for (name, spec) in specs() {
            let mut a = Optimizer::new(&spec, 0.05, 1);
            let mut b = Optimizer::new(&spec, 0.05, 1).with_multipliers(vec![1.0]);
            let (mut pa, mut pb) = (tensor(&init), tensor(&init));
            for t in 1..=3 {
                a.begin_step();
                b.begin_step();
                pa = a.update(0, pa, tensor(&gradient(t)));
                pb = b.update(0, pb, tensor(&gradient(t)));
            }
            let (va, vb) = (host::to_vec(pa), host::to_vec(pb));
            assert!(
                va.iter().zip(&vb).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{name}"
            );
        }
        let sgd = OptimizerSpec {
            kind: OptimizerKind::Sgd,
            ..OptimizerSpec::default()
        };
        let mut half = Optimizer::new(&sgd, 0.05, 1).with_multipliers(vec![0.5]);
        half.begin_step();
        let got = host::to_vec(half.update(0, tensor(&init), tensor(&gradient(1))));
        for ((p, p0), g) in got.iter().zip(&init).zip(gradient(1)) {
            assert!((p - (p0 - 0.025 * g)).abs() < 1e-6);
        }
    }

    /// After arm 1 diverges its state is zeroed and nothing else: arm 0 goes on exactly as if
    /// nothing had happened, and arm 1 continues from zero state.
    #[test]
    fn reset_arm_touches_only_its_slice() {
        for (name, spec) in specs() {
            let init: Vec<f32> = (0..24).map(|i| (i as f32 * 0.1).cos()).collect();
            let mut a = Optimizer::new(&spec, 0.05, 1);
            let mut b = Optimizer::new(&spec, 0.05, 1);
            let (mut pa, mut pb) = (tensor(&init), tensor(&init));
            for t in 1..=3 {
                a.begin_step();
                b.begin_step();
                pa = a.update(0, pa, tensor(&gradient(t)));
                pb = b.update(0, pb, tensor(&gradient(t)));
            }
            b.reset_arm(1, 2);
            for st in &b.states {
                for buf in [&st.first, &st.second] {
                    if !buf.is_empty() {
                        assert!(buf[12..].iter().all(|&x| x == 0.0), "{name}: arm 1 zeroed");
                        assert!(buf[..12].iter().any(|&x| x != 0.0), "{name}: arm 0 kept");
                    }
                }
            }
            a.begin_step();
            b.begin_step();
            let (va, vb) = (
                host::to_vec(a.update(0, pa, tensor(&gradient(4)))),
                host::to_vec(b.update(0, pb, tensor(&gradient(4)))),
            );
            for i in 0..12 {
                assert_eq!(
                    va[i].to_bits(),
                    vb[i].to_bits(),
                    "{name}: arm 0 element {i}"
                );
            }
            if spec.kind != OptimizerKind::Sgd {
                assert!((12..24).any(|i| va[i] != vb[i]), "{name}: arm 1 restarted");
            }
        }
    }
}
