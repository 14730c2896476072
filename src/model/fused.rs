//! `y = act(z + bias)` as one Burn operation with a hand-written backward pass, added to Burn
//! through its backend-extension mechanism.
//!
//! Why: a hidden layer's elementwise work composed from Burn ops was a chain of separate passes,
//! each allocating a tensor and recording an autodiff node; profiled, that chain (glibc `expf`,
//! clamp, broadcasts and their backward ops) cost more than the matmuls. Here the forward is one
//! pass over the matmul's output, done in place when Burn hands over the only reference, and the
//! backward is one pass over the incoming gradient plus a row sum for the bias.
//!
//! Only the Flex CPU backend (the one initlab builds) has a kernel; the autodiff implementation
//! is generic over any backend that implements [`BiasActOps`] and [`ActBackwardOps`].

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    Autodiff, Backend, Dispatch, Flex, FloatDType, TensorMetadata, backend_extension,
};
use burn::tensor::{DType, Shape, Tensor, TensorData};

use super::kernels;
use crate::activation::Activation;

/// The fused layer operation, as a backend primitive.
#[backend_extension(Flex, Autodiff)]
pub trait BiasActOps: Backend {
    /// `z`: `[arms or 1, rows, out]`; `bias`: `[arms or 1, 1, out]`; returns `act(z + bias)`,
    /// broadcast over arms like Burn's add.
    fn bias_act(
        z: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        act: Activation,
    ) -> FloatTensor<Self>;
}

/// The backward kernel, needed only by backends that run under autodiff.
pub trait ActBackwardOps: Backend {
    /// `dz = grad * act'(z)`, given the forward output `y = act(z)` (same shape as `grad`,
    /// `[arms, rows, out]`), and `dz` summed over rows (`[arms, 1, out]`), the bias gradient.
    fn act_backward(
        y: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        act: Activation,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
}

/// `act(z + bias)`, differentiable when its inputs are tracked. GELU has no kernel (see
/// [`kernels::is_fused`]): it adds the bias only, and [`super::bias_activate`] applies GELU after.
pub(super) fn bias_act(z: Tensor<3>, bias: Tensor<3>, act: Activation) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as BiasActOps>::bias_act(
        z.into_dispatch(),
        bias.into_dispatch(),
        act,
    ))
}

/// A contiguous f32 tensor at offset 0 whose storage is exactly its elements (copying if not).
/// initlab only makes f32 tensors; anything else is cast rather than refused.
pub(super) fn dense_f32(t: FlexTensor) -> FlexTensor {
    let t = if t.dtype() == DType::F32 {
        t
    } else {
        <Flex as FloatTensorOps<Flex>>::float_cast(t, FloatDType::F32)
    };
    let n = t.layout().shape().num_elements();
    if t.layout().contiguous_offsets() == Some((0, n)) && t.bytes().len() == n * 4 {
        t
    } else {
        t.to_contiguous()
    }
}

impl BiasActOps for Flex {
    fn bias_act(z: FlexTensor, bias: FlexTensor, act: Activation) -> FlexTensor {
        let (z_arms, bias_arms) = (z.layout().shape()[0], bias.layout().shape()[0]);
        let (mut z, bias) = if bias_arms == z_arms || bias_arms == 1 {
            (dense_f32(z), dense_f32(bias))
        } else {
            // The bias has arms that `z` lacks: broadcast with Burn's add, then a zero bias.
            let out = bias.layout().shape()[2];
            let z = <Flex as FloatTensorOps<Flex>>::float_add(z, bias);
            (
                dense_f32(z),
                FlexTensor::zeros(Shape::new([1, 1, out]), DType::F32),
            )
        };
        let out = bias.layout().shape()[2].max(1);
        let b: &[f32] = bias.storage();
        let per_arm = z.layout().shape().num_elements() / (b.len() / out).max(1);
        // Copy-on-write: in place when the matmul's output is not shared, as in training.
        let y: &mut [f32] = z.storage_mut();
        for (rows, b) in y.chunks_mut(per_arm.max(1)).zip(b.chunks(out)) {
            kernels::bias_act_forward(rows, b, act);
        }
        z
    }
}

impl ActBackwardOps for Flex {
    fn act_backward(y: FlexTensor, grad: FlexTensor, act: Activation) -> (FlexTensor, FlexTensor) {
        let y = dense_f32(y);
        let mut grad = dense_f32(grad);
        let shape = grad.layout().shape().clone();
        let (arms, out) = (shape[0], shape[shape.num_dims() - 1]);
        let mut db = vec![0.0f32; arms * out];
        let per_arm = shape.num_elements() / arms.max(1);
        let g: &mut [f32] = grad.storage_mut();
        let ys = g
            .chunks_mut(per_arm.max(1))
            .zip(y.storage::<f32>().chunks(per_arm.max(1)));
        for ((g, y), db) in ys.zip(db.chunks_mut(out.max(1))) {
            kernels::act_backward(g, y, act, db);
        }
        let db = FlexTensor::from_data(TensorData::new(db, [arms, 1, out]));
        (grad, db)
    }
}

#[derive(Debug)]
struct BiasActBackward;

impl<B: ActBackwardOps> Backward<B, 2> for BiasActBackward {
    /// The forward output (every fused derivative is a function of it), and the arms of `z` and
    /// of the bias, to undo a broadcast.
    type State = (FloatTensor<B>, Activation, [usize; 2]);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [z_node, bias_node] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (y, act, [z_arms, bias_arms]) = ops.state;
        let (dz, mut db) = B::act_backward(y, grad, act);
        let arms = dz.shape()[0];
        // Each input was broadcast over the arms it lacks (the bias also over rows): sum back.
        if let Some(node) = bias_node {
            if bias_arms == 1 && arms != 1 {
                db = B::float_sum_dim(db, 0);
            }
            grads.register::<B>(node.id, db);
        }
        if let Some(node) = z_node {
            let dz = if z_arms == 1 && arms != 1 {
                B::float_sum_dim(dz, 0)
            } else {
                dz
            };
            grads.register::<B>(node.id, dz);
        }
    }
}

impl<B: BiasActOps + ActBackwardOps, C: CheckpointStrategy> BiasActOps for Autodiff<B, C> {
    fn bias_act(
        z: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        act: Activation,
    ) -> FloatTensor<Self> {
        match BiasActBackward
            .prepare::<C>([z.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let arms = [z.shape()[0], bias.shape()[0]];
                let y = B::bias_act(z.into_primitive(), bias.into_primitive(), act);
                prep.finish((y.clone(), act, arms), y)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(B::bias_act(z.into_primitive(), bias.into_primitive(), act))
            }
        }
    }
}
