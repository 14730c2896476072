//! The fixed point of the correlation map and the summary of a phase-diagram point.

use super::CRITICAL_TOLERANCE;
use super::mean_field::{MeanField, Phase, PhasePoint};
use super::roots::illinois;

impl MeanField {
    /// The stable fixed point of the correlation map at length `q` (normally q*), given the
    /// slope `chi_1` of that map at c = 1 (c = 1 is always a fixed point at q*).
    ///
    /// For chi_1 <= 1 it is c* = 1. Otherwise c = 1 repels and the stable point lies in [0, 1):
    /// by Mehler's expansion the map is convex and increasing on [0, 1] with a value >= 0 at 0,
    /// so map(c) - c has exactly one root there, found on a bracket [0, 1 - d].
    pub fn c_star_at(&self, q: f64, chi_1: f64) -> f64 {
        if chi_1 <= 1.0 + CRITICAL_TOLERANCE || !(q.is_finite() && q > 0.0) {
            return 1.0;
        }
        let h = |c: f64| self.correlation_map(q, c) - c;
        if h(0.0) <= 0.0 {
            return 0.0;
        }
        for d in [1e-2, 1e-4, 1e-6, 1e-8] {
            if h(1.0 - d) < 0.0 {
                return illinois(h, 0.0, 1.0 - d, 1e-12);
            }
        }
        1.0
    }

    /// q*, chi_1, c*, chi_c and the depth scales. Degenerate cases, explicitly:
    /// - ReLU-like activations (linear maps) never have c* < 1 at finite q*: their correlation
    ///   map has slope chi_1 at c = 1, and a finite q* > 0 needs chi_1 <= 1 (see
    ///   `homogeneous_q_star`), so [`Self::c_star_at`] gives c* = 1 and chi_c = chi_1.
    /// - Unbounded q* (ReLU above sigma_w2 = 2, or at 2 with sigma_b2 > 0): the bias no longer
    ///   matters and the normalised correlation map becomes the arc-cosine one, whose slope at
    ///   c = 1 is exactly 1: c* = 1, chi_c = 1, xi_c infinite (correlations still approach 1,
    ///   but polynomially, not exponentially). chi_1 is taken at large q.
    /// - q* = 0 (the signal collapses, e.g. tanh with sigma_b2 = 0, sigma_w2 <= 1): the map is
    ///   linear in the limit, c* = 1 and chi_c = chi_1 = sigma_w2 phi'(0)^2 ([`Self::c_star_at`]
    ///   returns 1 for q = 0; a stable q* = 0 has chi_1 <= 1 anyway).
    pub fn phase_point(&self) -> PhasePoint {
        let q_star = self.q_star();
        let chi_1 = self.chi_1_at(q_star);
        let (c_star, chi_c) = if !q_star.is_finite() {
            (1.0, 1.0)
        } else {
            let c = self.c_star_at(q_star, chi_1);
            let chi_c = if c == 1.0 {
                chi_1
            } else {
                self.chi_c_at(q_star, c)
            };
            (c, chi_c)
        };
        let phase = if !q_star.is_finite() {
            Phase::Unbounded
        } else if (chi_1 - 1.0).abs() <= CRITICAL_TOLERANCE {
            Phase::Critical
        } else if chi_1 < 1.0 {
            Phase::Ordered
        } else {
            Phase::Chaotic
        };
        let xi_c = depth_scale(chi_c.min(1.0));
        PhasePoint {
            sigma_w2: self.sigma_w2,
            sigma_b2: self.sigma_b2,
            q_star,
            chi_1,
            c_star,
            chi_c,
            xi_c,
            xi_grad: depth_scale(chi_1),
            max_depth: 6.0 * xi_c,
            phase,
        }
    }
}

/// -1 / ln(chi): +infinity within [`CRITICAL_TOLERANCE`] of chi = 1, 0 at chi = 0, negative
/// above 1 (a growth scale).
pub fn depth_scale(chi: f64) -> f64 {
    if (chi - 1.0).abs() <= CRITICAL_TOLERANCE {
        f64::INFINITY
    } else {
        -1.0 / chi.ln()
    }
}
