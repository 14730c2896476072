//! The order of the stacked module's parameters in a flat list: `[w0, b0, w1, b1, ...]`.
//! The optimizer treats every tensor alike and wants one list; everything that needs to know
//! which entry is a weight and which a bias asks here instead of decoding `i % 2` itself.

/// What a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Weight,
    Bias,
}

/// The flat index of layer `layer`'s `part`.
pub const fn index(layer: usize, part: Part) -> usize {
    match part {
        Part::Weight => 2 * layer,
        Part::Bias => 2 * layer + 1,
    }
}

/// The layer and part of flat index `i`.
pub const fn part_of(i: usize) -> (usize, Part) {
    (
        i / 2,
        if i.is_multiple_of(2) {
            Part::Weight
        } else {
            Part::Bias
        },
    )
}

/// Number of layers in a flat list of `n` parameters.
pub const fn layers(n: usize) -> usize {
    n / 2
}

/// Splits a flat list into (weights, biases), layer by layer.
pub fn split<T: Clone>(flat: &[T]) -> (Vec<T>, Vec<T>) {
    let pick = |part| {
        (0..layers(flat.len()))
            .map(|l| flat[index(l, part)].clone())
            .collect()
    };
    (pick(Part::Weight), pick(Part::Bias))
}

/// The flat list of per-layer weights and biases: the inverse of [`split`].
pub fn interleave<T>(weights: Vec<T>, biases: Vec<T>) -> Vec<T> {
    weights
        .into_iter()
        .zip(biases)
        .flat_map(|(w, b)| [w, b])
        .collect()
}
