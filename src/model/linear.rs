//! `y = act(h W + bias)` for every arm as one Burn operation: the matmul, the bias and the
//! activation in a single pass, with a hand-written backward, through Burn's backend-extension
//! mechanism (like [`super::fused`], which it extends with the matmul).
//!
//! Why: profiled on the deep sweep, Burn's matmul allocated each output as a zeroed byte vector
//! and then copied it into an aligned buffer (about 10% of training in `memset` and `memcpy`), and
//! every layer cost two autodiff nodes. Here each arm's output is written by `gemm` straight into
//! a buffer this module owns, the bias and activation are applied while that arm's output is
//! still in cache, and the backward computes the weight and input gradients with the same `gemm`
//! calls Burn's matmul backward makes, so the numbers are the same bit for bit (tested).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::{Tensor, TensorData};
use std::mem::MaybeUninit;

use super::fused::dense_f32;
use super::kernels;
use crate::activation::Activation;

/// The fused layer, as a backend primitive.
#[backend_extension(Flex, Autodiff)]
pub trait LinearActOps: Backend {
    /// `h`: `[arms or 1, rows, in]`; `weight`: `[arms, in, out]`; `bias`: `[arms, 1, out]`;
    /// returns `act(h weight + bias)`, `[arms, rows, out]`. The activation must be fused
    /// ([`kernels::is_fused`]).
    fn linear_act(
        h: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        act: Activation,
    ) -> FloatTensor<Self>;
}

/// The backward kernel, needed only by backends that run under autodiff.
pub trait LinearBackwardOps: Backend {
    /// Given the forward output `y` and its gradient: the weight gradient, the bias gradient,
    /// and with `want_input`, the gradient of `h` per arm (`[arms, rows, in]`).
    fn linear_backward(
        h: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        y: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        act: Activation,
        want_input: bool,
    ) -> LinearGrads<Self>;
}

/// What [`LinearBackwardOps::linear_backward`] returns.
pub struct LinearGrads<B: Backend> {
    pub input: Option<FloatTensor<B>>,
    pub weight: FloatTensor<B>,
    pub bias: FloatTensor<B>,
}

/// `act(h weight + bias)`, differentiable when its inputs are tracked.
pub(super) fn linear_act(
    h: Tensor<3>,
    weight: Tensor<3>,
    bias: Tensor<3>,
    act: Activation,
) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as LinearActOps>::linear_act(
        h.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
        act,
    ))
}

/// `[d0, d1, d2]` of a rank-3 tensor (initlab's stacked tensors all are).
fn dims3(t: &FlexTensor) -> [usize; 3] {
    let s = t.layout().shape();
    [s[0], s[1], s[2]]
}

/// A row-major `[rows, cols]` matrix at `ptr`, or its transpose (same memory, swapped strides).
#[derive(Clone, Copy)]
struct Mat {
    ptr: *const f32,
    row_stride: isize,
    col_stride: isize,
}

impl Mat {
    fn of(s: &[f32], cols: usize) -> Self {
        Self {
            ptr: s.as_ptr(),
            row_stride: cols as isize,
            col_stride: 1,
        }
    }

    fn t(self) -> Self {
        Self {
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }
}

/// `out[m, n] = lhs[m, k] rhs[k, n]` into `out` (row-major, never read, so it needs no
/// zeroing), single threaded, with the arguments of Burn's own matmul, so the results are its.
fn gemm_into(out: &mut [MaybeUninit<f32>], m: usize, n: usize, k: usize, lhs: Mat, rhs: Mat) {
    debug_assert_eq!(out.len(), m * n);
    if k == 0 {
        out.fill(MaybeUninit::new(0.0));
        return;
    }
    // SAFETY: `lhs` and `rhs` point into live slices holding `m x k` and `k x n` matrices with
    // these strides (the callers slice them by the tensors' shapes), `out` holds `m x n`
    // elements, and with `read_dst` false gemm only writes them.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr().cast::<f32>(),
            1,
            n as isize,
            false,
            lhs.ptr,
            lhs.col_stride,
            lhs.row_stride,
            rhs.ptr,
            rhs.col_stride,
            rhs.row_stride,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `arms` products of `m x k` by `k x n` matrices (`operands(a)` gives arm `a`'s), stacked into
/// one buffer; `then(a, block)` runs on each arm's block right after it is written, while it is
/// still in cache.
fn per_arm_gemm(
    arms: usize,
    [m, n, k]: [usize; 3],
    operands: impl Fn(usize) -> (Mat, Mat),
    mut then: impl FnMut(usize, &mut [f32]),
) -> Vec<f32> {
    let len = m * n;
    let mut out = Vec::<f32>::with_capacity(arms * len);
    let spare = &mut out.spare_capacity_mut()[..arms * len];
    for (a, block) in spare.chunks_mut(len.max(1)).enumerate().take(arms) {
        let (lhs, rhs) = operands(a);
        gemm_into(block, m, n, k, lhs, rhs);
        // SAFETY: `gemm_into` wrote every element of the block.
        let block = unsafe { &mut *(block as *mut [MaybeUninit<f32>] as *mut [f32]) };
        then(a, block);
    }
    // SAFETY: every block, and so every element up to `arms * len`, was written above.
    unsafe { out.set_len(arms * len) };
    out
}

/// Arm `a`'s `len`-element block of a stacked buffer, or the only block when it has one arm.
fn block(s: &[f32], arms: usize, a: usize, len: usize) -> &[f32] {
    let a = if arms == 1 { 0 } else { a };
    &s[a * len..(a + 1) * len]
}

impl LinearActOps for Flex {
    fn linear_act(
        h: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        act: Activation,
    ) -> FlexTensor {
        let (h, weight, bias) = (dense_f32(h), dense_f32(weight), dense_f32(bias));
        let ([h_arms, rows, k], [arms, _, n]) = (dims3(&h), dims3(&weight));
        let (hs, ws, bs): (&[f32], &[f32], &[f32]) =
            (h.storage(), weight.storage(), bias.storage());
        let operands = |a| {
            let lhs = Mat::of(block(hs, h_arms, a, rows * k), k);
            (lhs, Mat::of(block(ws, arms, a, k * n), n))
        };
        let y = per_arm_gemm(arms, [rows, n, k], operands, |a, out| {
            kernels::bias_act_forward(out, block(bs, arms, a, n), act)
        });
        FlexTensor::from_data(TensorData::new(y, [arms, rows, n]))
    }
}

impl LinearBackwardOps for Flex {
    fn linear_backward(
        h: FlexTensor,
        weight: FlexTensor,
        y: FlexTensor,
        grad: FlexTensor,
        act: Activation,
        want_input: bool,
    ) -> LinearGrads<Flex> {
        let (h, weight, y) = (dense_f32(h), dense_f32(weight), dense_f32(y));
        let mut dz = dense_f32(grad);
        let ([h_arms, rows, k], [arms, _, n]) = (dims3(&h), dims3(&weight));
        let mut db = vec![0.0f32; arms * n];
        {
            let g: &mut [f32] = dz.storage_mut();
            let ys = y.storage::<f32>();
            for a in 0..arms {
                let span = a * rows * n..(a + 1) * rows * n;
                let db = &mut db[a * n..(a + 1) * n];
                kernels::act_backward(&mut g[span.clone()], &ys[span], act, db);
            }
        }
        let (hs, ws, gs): (&[f32], &[f32], &[f32]) = (h.storage(), weight.storage(), dz.storage());
        // Burn's matmul backward: dW = h^T dz and dh = dz W^T, as transposed views.
        let dz_of = |a| Mat::of(block(gs, arms, a, rows * n), n);
        let dw_operands = |a| (Mat::of(block(hs, h_arms, a, rows * k), k).t(), dz_of(a));
        let dw = per_arm_gemm(arms, [k, n, rows], dw_operands, |_, _| ());
        let input = want_input.then(|| {
            let dh_operands = |a| (dz_of(a), Mat::of(block(ws, arms, a, k * n), n).t());
            let dh = per_arm_gemm(arms, [rows, k, n], dh_operands, |_, _| ());
            FlexTensor::from_data(TensorData::new(dh, [arms, rows, k]))
        });
        LinearGrads {
            input,
            weight: FlexTensor::from_data(TensorData::new(dw, [arms, k, n])),
            bias: FlexTensor::from_data(TensorData::new(db, [arms, 1, n])),
        }
    }
}

#[derive(Debug)]
struct LinearActBackward;

/// What the backward needs: the input, the weights, the output, the activation, and the arms
/// of the input (1 when it was shared by every arm, so its gradient is summed back).
type LinearState<B> = (
    FloatTensor<B>,
    FloatTensor<B>,
    FloatTensor<B>,
    Activation,
    usize,
);

impl<B: LinearBackwardOps> Backward<B, 3> for LinearActBackward {
    type State = LinearState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [h_node, w_node, b_node] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (h, w, y, act, h_arms) = ops.state;
        let g = B::linear_backward(h, w, y, grad, act, h_node.is_some());
        if let (Some(node), Some(dh)) = (h_node, g.input) {
            let arms = dh.shape()[0];
            let dh = if h_arms == 1 && arms != 1 {
                B::float_sum_dim(dh, 0)
            } else {
                dh
            };
            grads.register::<B>(node.id, dh);
        }
        if let Some(node) = w_node {
            grads.register::<B>(node.id, g.weight);
        }
        if let Some(node) = b_node {
            grads.register::<B>(node.id, g.bias);
        }
    }
}

impl<B: LinearActOps + LinearBackwardOps, C: CheckpointStrategy> LinearActOps for Autodiff<B, C> {
    fn linear_act(
        h: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        act: Activation,
    ) -> FloatTensor<Self> {
        match LinearActBackward
            .prepare::<C>([h.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let h_arms = h.shape()[0];
                let (h, w) = (h.into_primitive(), weight.into_primitive());
                let y = B::linear_act(h.clone(), w.clone(), bias.into_primitive(), act);
                prep.finish((h, w, y.clone(), act, h_arms), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::linear_act(
                h.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                act,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bias_activate;
    use burn::tensor::Device;

    fn tensor(shape: [usize; 3], seed: u32, device: &Device) -> Tensor<3> {
        let n = shape.iter().product::<usize>();
        // A fixed, sign-mixed pattern: enough to tell every element and arm apart.
        let v = (0..n)
            .map(|i| (((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        Tensor::from_data(TensorData::new(v, shape), device)
    }

    fn bits(t: Tensor<3>) -> Vec<u32> {
        super::super::host::to_vec(t)
            .into_iter()
            .map(f32::to_bits)
            .collect()
    }

    /// Output, then the gradients of input, weight and bias of `sum(layer(h) * probe)`.
    fn run(fused: bool, h_arms: usize, act: Activation) -> Vec<Vec<u32>> {
        let device = Device::flex();
        let (arms, rows, k, n) = (3, 5, 7, 4);
        let h = tensor([h_arms, rows, k], 1, &device)
            .autodiff()
            .require_grad();
        let w = tensor([arms, k, n], 2, &device).autodiff().require_grad();
        let b = tensor([arms, 1, n], 3, &device).autodiff().require_grad();
        let probe = tensor([arms, rows, n], 4, &device).autodiff();
        let y = if fused {
            linear_act(h.clone(), w.clone(), b.clone(), act)
        } else {
            bias_activate(h.clone().matmul(w.clone()), b.clone(), act)
        };
        let mut grads = (y.clone() * probe).sum().backward();
        let mut out = vec![bits(y.inner())];
        for t in [&h, &w, &b] {
            out.push(
                t.grad_remove(&mut grads)
                    .map(|g| bits(g.inner()))
                    .unwrap_or_default(),
            );
        }
        out
    }

    #[test]
    fn equals_burns_matmul_then_the_fused_activation_bit_for_bit() {
        for act in [Activation::Relu, Activation::Tanh, Activation::Identity] {
            for h_arms in [3, 1] {
                let (fused, composed) = (run(true, h_arms, act), run(false, h_arms, act));
                assert!(
                    fused.iter().all(|v| !v.is_empty()),
                    "{act:?}: a gradient is missing"
                );
                for (part, (a, b)) in ["output", "dh", "dW", "db"]
                    .iter()
                    .zip(fused.iter().zip(&composed))
                {
                    assert_eq!(a, b, "{act:?}, input arms {h_arms}: {part} differs");
                }
            }
        }
    }
}
