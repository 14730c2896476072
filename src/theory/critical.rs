//! The critical line chi_1 = 1 (the "edge of chaos") and grids over the phase diagram, for the
//! app's and the report's charts.

use super::arc_cosine;
use super::mean_field::{MeanField, PhasePoint};
use super::nonlinearity::{Shape, shape};
use super::roots::illinois;
use super::{CRITICAL_TOLERANCE, TheoryError};
use crate::activation::Activation;

/// The sigma_w2 range searched for the critical point (geometric steps of 10%).
const SCAN_FROM: f64 = 0.01;
const SCAN_TO: f64 = 1e4;

/// chi_1 at q* for one point (+infinity for negative or non-finite variances).
pub fn chi_1(activation: Activation, sigma_w2: f64, sigma_b2: f64) -> f64 {
    MeanField::new(activation, sigma_w2, sigma_b2)
        .map(|m| m.chi_1_at(m.q_star()))
        .unwrap_or(f64::INFINITY)
}

/// The sigma_w2 where chi_1 = 1 at this sigma_b2, or `None` where there is none with a finite
/// q*. ReLU-like activations have chi_1 = sigma_w2 (1 + a^2) / 2 whatever q, but with
/// sigma_b2 > 0 the length then grows by sigma_b2 every layer: their only critical point is
/// sigma_b2 = 0 (ReLU: (2, 0); Pennington, Schoenholz & Ganguli 2017). For the others chi_1 is
/// scanned upward from sigma_w2 = 0.01 and the first crossing refined; a crossing where q* jumps
/// (chi_1 discontinuous, as for GELU whose q* depends on the starting length) is not critical.
pub fn critical_sigma_w2(activation: Activation, sigma_b2: f64) -> Option<f64> {
    if !(sigma_b2.is_finite() && sigma_b2 >= 0.0) {
        return None;
    }
    if let Shape::Homogeneous { slope } = shape(activation) {
        return (sigma_b2 == 0.0).then(|| 1.0 / arc_cosine::gain(slope));
    }
    let excess = |w: f64| chi_1(activation, w, sigma_b2) - 1.0;
    let mut prev = SCAN_FROM;
    if excess(prev) >= 0.0 {
        return None;
    }
    while prev < SCAN_TO {
        let next = prev * 1.1;
        if excess(next) >= 0.0 {
            let w = illinois(excess, prev, next, 1e-12 * next);
            let m = MeanField::new(activation, w, sigma_b2).ok()?;
            let q = m.q_star();
            let continuous =
                q.is_finite() && (m.chi_1_at(q) - 1.0).abs() < 1e3 * CRITICAL_TOLERANCE;
            return continuous.then_some(w);
        }
        prev = next;
    }
    None
}

/// [`critical_sigma_w2`] at every sigma_b2: the critical line of the phase diagram.
pub fn critical_line(activation: Activation, sigma_b2: &[f64]) -> Vec<(f64, Option<f64>)> {
    sigma_b2
        .iter()
        .map(|&b| (b, critical_sigma_w2(activation, b)))
        .collect()
}

/// chi_1 over a grid, `grid[i][j]` at (sigma_w2[j], sigma_b2[i]): cheap (lengths only), for a
/// heat map of the phase diagram.
pub fn chi_1_grid(activation: Activation, sigma_w2: &[f64], sigma_b2: &[f64]) -> Vec<Vec<f64>> {
    sigma_b2
        .iter()
        .map(|&b| sigma_w2.iter().map(|&w| chi_1(activation, w, b)).collect())
        .collect()
}

/// Full phase points over a grid, laid out as in [`chi_1_grid`]; each point also solves the
/// correlation map (about 1 ms for a smooth activation in the chaotic phase).
pub fn phase_grid(
    activation: Activation,
    sigma_w2: &[f64],
    sigma_b2: &[f64],
) -> Result<Vec<Vec<PhasePoint>>, TheoryError> {
    sigma_b2
        .iter()
        .map(|&b| {
            sigma_w2
                .iter()
                .map(|&w| MeanField::new(activation, w, b).map(|m| m.phase_point()))
                .collect()
        })
        .collect()
}
