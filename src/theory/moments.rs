//! The Gaussian averages mean-field theory is made of, for one activation: closed forms for
//! ReLU, leaky ReLU and identity, the split Gauss–Legendre rules of `gauss_legendre` for the
//! rest. Pre-activations u, u1, u2 ~ N(0, q), the pair correlated by c.

use super::arc_cosine;
use super::gauss_legendre::{expect_pair_split, expect_split};
use super::nonlinearity::{Shape, dphi, phi, shape};
use crate::activation::Activation;

/// The averages of one activation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub activation: Activation,
    shape: Shape,
}

impl Moments {
    pub fn new(activation: Activation) -> Self {
        Self {
            activation,
            shape: shape(activation),
        }
    }

    /// E[f(sqrt(q) z)].
    fn expect(&self, q: f64, f: impl Fn(f64) -> f64) -> f64 {
        let s = scale(q);
        expect_split(|z| f(s * z))
    }

    /// E[f(u1) f(u2)].
    fn expect_pair(&self, q: f64, c: f64, f: impl Fn(f64) -> f64 + Copy) -> f64 {
        let s = scale(q);
        let scaled = move |z: f64| f(s * z);
        expect_pair_split(c, scaled, scaled)
    }

    /// E[phi(u)].
    pub fn mean(&self, q: f64) -> f64 {
        match self.shape {
            Shape::Homogeneous { slope } => {
                (1.0 - slope) * (q.max(0.0) / (2.0 * std::f64::consts::PI)).sqrt()
            }
            _ => self.expect(q, |u| phi(self.activation, u)),
        }
    }

    /// E[phi(u)^2].
    pub fn mean_sq(&self, q: f64) -> f64 {
        match self.shape {
            Shape::Homogeneous { slope } => arc_cosine::gain(slope) * q,
            _ => self.expect(q, |u| phi(self.activation, u).powi(2)),
        }
    }

    /// E[phi'(u)^2].
    pub fn mean_dsq(&self, q: f64) -> f64 {
        match self.shape {
            Shape::Homogeneous { slope } => arc_cosine::gain(slope),
            _ => self.expect(q, |u| dphi(self.activation, u).powi(2)),
        }
    }

    /// E[phi(u1) phi(u2)].
    pub fn cross(&self, q: f64, c: f64) -> f64 {
        let a = self.activation;
        match self.shape {
            Shape::Homogeneous { slope } => q * arc_cosine::kappa(slope, c),
            _ => self.expect_pair(q, c, move |u| phi(a, u)),
        }
    }

    /// E[phi'(u1) phi'(u2)].
    pub fn dcross(&self, q: f64, c: f64) -> f64 {
        let a = self.activation;
        match self.shape {
            Shape::Homogeneous { slope } => arc_cosine::kappa_prime(slope, c),
            _ => self.expect_pair(q, c, move |u| dphi(a, u)),
        }
    }
}

/// sqrt(q), kept above 0 so that at q = 0 the averages are their limits as q -> 0+: each side
/// of a kink keeps its half of the weight (SELU's E[phi'^2] tends to (scale^2 + (scale
/// alpha)^2) / 2, not to phi'(0)^2 of one side).
fn scale(q: f64) -> f64 {
    q.max(0.0).sqrt().max(1e-150)
}
