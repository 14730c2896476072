//! The MLP under study, and the Burn module that holds every arm of a study at once.
//!
//! Arms differ only in their initial weights, so they are stacked along a leading axis:
//! layer `l` of all arms is one `[arms, in, out]` weight tensor and one `[arms, 1, out]` bias,
//! and a forward pass is a chain of batched matmuls. Arms never mix: every op is per arm, and the
//! training loss is the sum of per-arm means, so each arm's gradient is its own.

use burn::module::{Module, Param};
use burn::tensor::activation as act;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::activation::{Activation, LEAKY_SLOPE};
use crate::init::{ArmWeights, BiasInit, InitSettings};

mod fused;
pub mod host;
mod kernels;
pub mod layout;
mod linear;

use fused::bias_act;
use layout::Part;
use linear::linear_act;

/// The architecture: hidden widths, one activation after every hidden layer, and the bias
/// initialization shared by every arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSpec {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub bias: BiasInit,
    /// Multiplies every random initializer's weights (1: as the scheme defines them); a sweep
    /// axis, so that gain^2 moves a study along the sigma_w^2 axis of the phase diagram.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub gain: f32,
}

fn one() -> f32 {
    1.0
}

fn is_one(g: &f32) -> bool {
    *g == 1.0
}

impl Default for ModelSpec {
    fn default() -> Self {
        Self {
            hidden: vec![128, 128],
            activation: Activation::Tanh,
            bias: BiasInit::ZEROS,
            gain: 1.0,
        }
    }
}

impl ModelSpec {
    /// What an arm's initial draw depends on besides the initializer.
    pub fn init_settings(&self) -> InitSettings {
        InitSettings {
            activation: self.activation,
            bias: self.bias,
            gain: self.gain,
        }
    }

    /// Layer widths from input to output: `[n_in, hidden..., n_out]`.
    pub fn dims(&self, n_in: usize, n_out: usize) -> Vec<usize> {
        let mut d = Vec::with_capacity(self.hidden.len() + 2);
        d.push(n_in);
        d.extend_from_slice(&self.hidden);
        d.push(n_out);
        d
    }

    /// Multiply-adds of one forward pass per sample, times two: the FLOPs of a forward pass.
    pub fn forward_flops(&self, n_in: usize, n_out: usize) -> u64 {
        self.dims(n_in, n_out)
            .windows(2)
            .map(|w| 2 * (w[0] * w[1]) as u64)
            .sum()
    }
}

/// One stacked linear layer.
#[derive(Module, Debug)]
pub struct StackedLinear {
    /// `[arms, in, out]`.
    pub weight: Param<Tensor<3>>,
    /// `[arms, 1, out]`.
    pub bias: Param<Tensor<3>>,
}

/// Every arm's MLP in one module.
#[derive(Module, Debug)]
pub struct StackedMlp {
    pub layers: Vec<StackedLinear>,
}

impl StackedMlp {
    /// Stacks the arms' host weights (all with the same `dims`) on `device`.
    pub fn from_arms(arms: &[&ArmWeights], dims: &[usize], device: &Device) -> Self {
        let a = arms.len();
        let layers = (0..dims.len() - 1)
            .map(|l| {
                let (fan_in, fan_out) = (dims[l], dims[l + 1]);
                let w: Vec<f32> = arms
                    .iter()
                    .flat_map(|arm| arm.weights[l].iter().copied())
                    .collect();
                let b: Vec<f32> = arms
                    .iter()
                    .flat_map(|arm| arm.biases[l].iter().copied())
                    .collect();
                StackedLinear {
                    weight: Param::from_tensor(Tensor::from_data(
                        TensorData::new(w, [a, fan_in, fan_out]),
                        device,
                    )),
                    bias: Param::from_tensor(Tensor::from_data(
                        TensorData::new(b, [a, 1, fan_out]),
                        device,
                    )),
                }
            })
            .collect();
        Self { layers }
    }

    /// The parameters in [`layout`] order, as the training loop updates them.
    pub fn params(&self) -> Vec<Tensor<3>> {
        layout::interleave(
            self.layers.iter().map(|l| l.weight.val()).collect(),
            self.layers.iter().map(|l| l.bias.val()).collect(),
        )
    }
}

/// The forward pass over stacked parameters `[w0, b0, w1, b1, ...]` with input
/// `[arms or 1, batch, in]`: per layer a batched matmul and one fused bias + activation pass.
pub fn forward(params: &[Tensor<3>], x: Tensor<3>, activation: Activation) -> Tensor<3> {
    run_layers(params, x, activation, None)
}

/// [`forward`], also handing every layer's pre-activation and activation to
/// `visit(layer, z, h)` (the output layer has no activation, so there `h` equals `z`). The
/// activations are the very values training computes; the pre-activations are built separately,
/// which costs a copy per layer, so training uses [`forward`].
pub fn forward_visiting(
    params: &[Tensor<3>],
    x: Tensor<3>,
    activation: Activation,
    visit: Visitor<'_>,
) -> Tensor<3> {
    run_layers(params, x, activation, Some(visit))
}

/// Receives `(layer, pre-activation, activation)`.
pub type Visitor<'a> = &'a mut dyn FnMut(usize, &Tensor<3>, &Tensor<3>);

fn run_layers(
    params: &[Tensor<3>],
    x: Tensor<3>,
    activation: Activation,
    mut visit: Option<Visitor<'_>>,
) -> Tensor<3> {
    let layers = layout::layers(params.len());
    let mut h = x;
    for l in 0..layers {
        let w = &params[layout::index(l, Part::Weight)];
        let b = &params[layout::index(l, Part::Bias)];
        let act = if l + 1 < layers {
            activation
        } else {
            Activation::Identity
        };
        if visit.is_none() && fits_linear(&h, w, b, act) {
            h = linear_act(h, w.clone(), b.clone(), act);
            continue;
        }
        let zw = h.matmul(w.clone());
        // Only a visitor needs the pre-activation; cloning `zw` otherwise would make the fused
        // op copy instead of working in place.
        let z = visit.as_ref().map(|_| zw.clone() + b.clone());
        h = bias_activate(zw, b.clone(), act);
        if let (Some(visit), Some(z)) = (visit.as_mut(), z) {
            visit(l, &z, &h);
        }
    }
    h
}

/// Whether the one-pass layer ([`linear_act`]) applies: a fused activation, and weights and
/// biases with the same arms, which the input has too or shares (one arm).
fn fits_linear(h: &Tensor<3>, w: &Tensor<3>, b: &Tensor<3>, act: Activation) -> bool {
    let arms = w.dims()[0];
    kernels::is_fused(act) && b.dims()[0] == arms && (h.dims()[0] == arms || h.dims()[0] == 1)
}

/// `act(z + bias)`: the fused kernel, or for GELU a fused bias add then Burn's GELU.
pub fn bias_activate(z: Tensor<3>, bias: Tensor<3>, act: Activation) -> Tensor<3> {
    if kernels::is_fused(act) {
        bias_act(z, bias, act)
    } else {
        activate(bias_act(z, bias, Activation::Identity), act)
    }
}

/// Applies `activation` with composed Burn ops: the reference the fused kernels are tested
/// against, and GELU's path. Tanh is computed from one `exp` on a clamped input: Burn's native
/// tanh was measured 1.6x slower over a whole study, and clamping at +-15 keeps `exp` finite
/// (tanh(15) is 1 in f32 anyway) so large initial weights cannot produce NaN.
pub fn activate<const D: usize>(z: Tensor<D>, activation: Activation) -> Tensor<D> {
    match activation {
        Activation::Relu => act::relu(z),
        Activation::LeakyRelu => act::leaky_relu(z, LEAKY_SLOPE as f64),
        Activation::Tanh => {
            let e = z.clamp(-15.0, 15.0).mul_scalar(2.0).exp();
            e.clone().sub_scalar(1.0).div(e.add_scalar(1.0))
        }
        Activation::Sigmoid => act::sigmoid(z),
        Activation::Gelu => act::gelu(z),
        Activation::Selu => {
            // Burn's selu evaluates exp on the positive side too, which overflows for large
            // inputs and turns the masked-out gradient into NaN; clamp that branch.
            const ALPHA: f64 = 1.673_263_242_354_377_3;
            const SCALE: f64 = 1.050_700_987_355_480_5;
            let positive = z.clone().greater_equal_scalar(0.0);
            let negative = z
                .clone()
                .clamp_max(0.0)
                .exp()
                .sub_scalar(1.0)
                .mul_scalar(ALPHA * SCALE);
            negative.mask_where(positive, z.mul_scalar(SCALE))
        }
        Activation::Softsign => act::softsign(z),
        Activation::Identity => z,
    }
}
