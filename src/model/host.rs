//! Zero-copy access to a tensor's elements on the host, for the loops initlab runs there (the
//! optimizer step).
//!
//! Why: `into_data` and `from_data` copy a parameter out and back in on every step (profiled at
//! about 8% of training), because the buffer is shared or not aligned the way Burn's allocator
//! wants. A Flex tensor that is not shared can be updated where it lies.

use burn::backend::Flex;
use burn::tensor::{Tensor, TensorData};

use super::fused::dense_f32;

/// Runs `f` over the tensor's elements, in place when the tensor is a Flex tensor that nothing
/// else references, and through a host copy otherwise.
pub fn update_in_place<const D: usize>(t: Tensor<D>, f: impl FnOnce(&mut [f32])) -> Tensor<D> {
    let (dims, device) = (t.dims(), t.device());
    let fallback = t.clone();
    match t.try_into_primitive::<Flex>() {
        Ok(p) => {
            drop(fallback); // so that `p` is the only reference again
            let mut p = dense_f32(p);
            f(p.storage_mut());
            Tensor::from_primitive::<Flex>(p)
        }
        Err(_) => {
            let mut v = to_vec(fallback);
            f(&mut v);
            Tensor::from_data(TensorData::new(v, dims), &device)
        }
    }
}

/// Runs `f` over the tensor's elements without copying them when it is a Flex tensor.
pub fn read<const D: usize, R>(t: Tensor<D>, f: impl FnOnce(&[f32]) -> R) -> R {
    let fallback = t.clone();
    match t.try_into_primitive::<Flex>() {
        Ok(p) => {
            drop(fallback);
            f(dense_f32(p).storage())
        }
        Err(_) => f(&to_vec(fallback)),
    }
}

/// The elements as a vector (empty for a tensor that is not f32, which initlab never makes).
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap_or_default()
}
