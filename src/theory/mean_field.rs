//! Mean-field signal propagation through a deep random network at initialization (Poole, Lahiri,
//! Raghu, Sohl-Dickstein & Ganguli 2016; Schoenholz, Gilmer, Ganguli & Sohl-Dickstein 2017).
//!
//! With h^l = W^l phi(h^(l-1)) + b^l, W_ij ~ N(0, sigma_w2 / fan_in), b_i ~ N(0, sigma_b2), a wide
//! network's pre-activations are Gaussian layer by layer, and two numbers per layer describe
//! them: the length q^l = E[(h^l_i)^2] of one input, and the correlation c^l between two inputs.
//! Both follow deterministic maps whose fixed points and slopes say how deep a signal travels
//! (xi_c) and whether gradients vanish or explode (chi_1).

use serde::{Deserialize, Serialize};

use super::moments::Moments;
use super::nonlinearity::{Shape, shape};
use super::roots::illinois;
use super::{CRITICAL_TOLERANCE, DEFAULT_Q0, Q_MAX, TheoryError, finite};
use crate::activation::Activation;

/// Fixed-point iterations of the length map before a bracketing root search takes over (the
/// iteration converges like chi_q^n, slowly near the critical line).
const ITERATIONS: usize = 60;
/// Below this, q* is taken as 0: the signal has collapsed. (Near q = 0 the length map of tanh
/// differs from the identity by 2 q^2, which rounding swamps below about 1e-15, so smaller
/// fixed points could not be told from spurious ones.)
const Q_MIN: f64 = 1e-12;

/// Which way a deep stack of identical layers sends two inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// chi_1 < 1: inputs become alike with depth (c* = 1), gradients vanish.
    Ordered,
    /// chi_1 = 1 (within [`CRITICAL_TOLERANCE`]): the edge of chaos, depth scales diverge.
    Critical,
    /// chi_1 > 1: nearby inputs decorrelate (c* < 1), gradients explode.
    Chaotic,
    /// q* is unbounded: the length grows without limit (e.g. ReLU with sigma_w2 > 2).
    Unbounded,
}

/// The mean-field summary of one (activation, sigma_w2, sigma_b2). Non-finite values (an
/// unbounded q*, an infinite depth scale) are written as JSON `null` and read back as +infinity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhasePoint {
    pub sigma_w2: f64,
    pub sigma_b2: f64,
    /// Fixed point of the length map reached from q^0 = [`DEFAULT_Q0`].
    #[serde(with = "finite")]
    pub q_star: f64,
    /// sigma_w2 E[phi'(sqrt(q*) z)^2]: the mean squared singular value of one layer's Jacobian,
    /// the factor by which ||dL/dh||^2 grows per layer going back.
    pub chi_1: f64,
    /// Stable fixed point of the correlation map.
    pub c_star: f64,
    /// Slope of the correlation map at c*.
    pub chi_c: f64,
    /// Correlation depth scale -1 / ln(chi_c): |c^l - c*| ~ exp(-l / xi_c).
    #[serde(with = "finite")]
    pub xi_c: f64,
    /// Gradient depth scale -1 / ln(chi_1): ||dL/dh^l||^2 ~ exp(-(L - l) / xi_grad); negative
    /// when gradients explode (chi_1 > 1).
    #[serde(with = "finite")]
    pub xi_grad: f64,
    /// 6 xi_c: Schoenholz et al. found networks deeper than this do not train. It bounds signal
    /// propagation only: read it with `xi_grad`.
    #[serde(with = "finite")]
    pub max_depth: f64,
    pub phase: Phase,
}

/// One point of the phase diagram, with the maps and fixed points derived from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanField {
    pub activation: Activation,
    pub sigma_w2: f64,
    pub sigma_b2: f64,
    moments: Moments,
}

impl MeanField {
    /// Refuses variances that are negative or not finite.
    pub fn new(activation: Activation, sigma_w2: f64, sigma_b2: f64) -> Result<Self, TheoryError> {
        for (name, value) in [("sigma_w2", sigma_w2), ("sigma_b2", sigma_b2)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(TheoryError::BadVariance { name, value });
            }
        }
        Ok(Self {
            activation,
            sigma_w2,
            sigma_b2,
            moments: Moments::new(activation),
        })
    }

    /// The Gaussian averages of the activation.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// q -> sigma_w2 E[phi(sqrt(q) z)^2] + sigma_b2.
    pub fn length_map(&self, q: f64) -> f64 {
        self.sigma_w2 * self.moments.mean_sq(q) + self.sigma_b2
    }

    /// [q^0, q^1, ..., q^depth] with q^(l+1) = length_map(q^l).
    pub fn length_trajectory(&self, q0: f64, depth: usize) -> Vec<f64> {
        std::iter::successors(Some(q0), |&q| Some(self.length_map(q)))
            .take(depth + 1)
            .collect()
    }

    /// sigma_w2 E[phi'(sqrt(q) z)^2]; at q = q* this is chi_1.
    pub fn chi_1_at(&self, q: f64) -> f64 {
        self.sigma_w2 * self.moments.mean_dsq(q.min(Q_MAX))
    }

    /// [1, chi_1, chi_1^2, ...]: predicted ||dL/dh||^2 `l` layers below the top, relative to the
    /// top, once the length has settled at q*.
    pub fn gradient_ratios(&self, depth: usize) -> Vec<f64> {
        let chi = self.chi_1_at(self.q_star());
        (0..=depth).map(|l| chi.powi(l as i32)).collect()
    }

    /// c -> (sigma_w2 E[phi(u1) phi(u2)] + sigma_b2) / length_map(q) for u1, u2 ~ N(0, q) with
    /// correlation c: the next layer's correlation of two inputs of equal length q (at q = q* the
    /// denominator is q* itself).
    pub fn correlation_map(&self, q: f64, c: f64) -> f64 {
        let next = self.length_map(q);
        if next <= 0.0 {
            return 1.0;
        }
        (self.sigma_w2 * self.moments.cross(q, c) + self.sigma_b2) / next
    }

    /// sigma_w2 E[phi'(u1) phi'(u2)]: the slope of the correlation map at (q, c).
    pub fn chi_c_at(&self, q: f64, c: f64) -> f64 {
        self.sigma_w2 * self.moments.dcross(q, c)
    }

    /// q* reached from q^0 = [`DEFAULT_Q0`].
    pub fn q_star(&self) -> f64 {
        self.q_star_from(DEFAULT_Q0)
    }

    /// The fixed point the length map reaches from `q0` (it is increasing, so iterates move
    /// monotonically to the nearest fixed point on their side); +infinity when the length grows
    /// past [`Q_MAX`]. For ReLU-like activations the map is linear, q -> chi_1 q + sigma_b2:
    /// q* = sigma_b2 / (1 - chi_1) below the critical line; on it with sigma_b2 = 0 every length
    /// is a fixed point (marginal) and q* = q0; otherwise the length grows without bound.
    pub fn q_star_from(&self, q0: f64) -> f64 {
        if let Shape::Homogeneous { .. } = shape(self.activation) {
            return self.homogeneous_q_star(q0);
        }
        let mut q = q0.max(0.0);
        for _ in 0..ITERATIONS {
            let next = self.length_map(q);
            if (next - q).abs() <= 1e-14 * next.max(q) {
                return next;
            }
            if next > Q_MAX {
                return f64::INFINITY;
            }
            q = next;
        }
        self.root_near(q)
    }

    fn homogeneous_q_star(&self, q0: f64) -> f64 {
        let chi = self.chi_1_at(q0);
        if (chi - 1.0).abs() <= CRITICAL_TOLERANCE {
            if self.sigma_b2 == 0.0 {
                q0
            } else {
                f64::INFINITY
            }
        } else if chi < 1.0 {
            self.sigma_b2 / (1.0 - chi)
        } else if self.sigma_b2 == 0.0 && q0 == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    }

    /// The fixed point beyond an iterate `q`, bracketed by steps that grow geometrically in the
    /// direction the map moves, then refined by [`illinois`].
    fn root_near(&self, q: f64) -> f64 {
        let g = |x: f64| self.length_map(x) - x;
        let gq = g(q);
        if gq == 0.0 {
            return q;
        }
        let (mut near, mut step) = (q, 1.1f64);
        loop {
            let far = if gq < 0.0 { near / step } else { near * step };
            if far < Q_MIN {
                return 0.0;
            }
            if far > Q_MAX {
                return f64::INFINITY;
            }
            if (g(far) >= 0.0) == (gq < 0.0) {
                let (lo, hi) = (near.min(far), near.max(far));
                let root = illinois(g, lo, hi, 1e-14 * hi);
                return if root < Q_MIN { 0.0 } else { root };
            }
            near = far;
            step *= step;
        }
    }
}
