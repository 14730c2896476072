//! Gaussian averages of activation integrands, split at 0: the rules behind every mean-field
//! average without a closed form.
//!
//! An activation's integrand varies most near 0, on a scale 1/sqrt(q), and may have a kink
//! there (SELU, softsign). Gauss–Hermite spreads its nodes over the whole Gaussian and sees the
//! kink as one smooth function, so its error falls slowly (see `gauss_hermite`). Splitting at 0
//! restores exponential convergence and clusters Gauss–Legendre nodes where the integrand bends:
//! in one dimension each half-line is integrated on [0, 10]; in two dimensions
//! the pair (z1, z2) is written in polar coordinates, where u1 = r cos(t) and u2 = r cos(t - b)
//! (cos b = c) change sign only at four fixed angles, so every angular arc between them and every
//! ray is smooth.

use std::f64::consts::{FRAC_PI_2, PI, TAU};
use std::sync::OnceLock;

use super::nonlinearity::normal_pdf;

/// Where the Gaussian tails are cut: beyond 10 standard deviations lies e^-50 of the mass.
const CUTOFF: f64 = 10.0;
/// Gauss–Legendre nodes per half-line, per ray and per angular arc.
const LINE_NODES: usize = 64;
const RAY_NODES: usize = 48;
const ARC_NODES: usize = 24;

/// A Gauss–Legendre rule on [-1, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct GaussLegendre {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl GaussLegendre {
    /// The n-point rule (Newton on the Legendre recurrence, Numerical Recipes' `gauleg`).
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        let nf = n as f64;
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        for i in 0..n.div_ceil(2) {
            let mut z = (PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                let (p, p_prev) = legendre(n, z);
                derivative = nf * (z * p - p_prev) / (z * z - 1.0);
                let step = p / derivative;
                z -= step;
                if step.abs() <= 1e-15 {
                    break;
                }
            }
            nodes[i] = -z;
            nodes[n - 1 - i] = z;
            weights[i] = 2.0 / ((1.0 - z * z) * derivative * derivative);
            weights[n - 1 - i] = weights[i];
        }
        Self { nodes, weights }
    }

    /// `(x, w)` pairs integrating over [a, b].
    pub fn on(&self, a: f64, b: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
        let (mid, half) = ((a + b) / 2.0, (b - a) / 2.0);
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(move |(&t, &w)| (mid + half * t, half * w))
    }
}

/// P_n(z) and P_(n-1)(z).
fn legendre(n: usize, z: f64) -> (f64, f64) {
    let (mut p1, mut p2) = (1.0, 0.0);
    for j in 0..n {
        let p3 = p2;
        p2 = p1;
        let jf = j as f64;
        p1 = ((2.0 * jf + 1.0) * z * p2 - jf * p3) / (jf + 1.0);
    }
    (p1, p2)
}

fn rule(n: usize, cell: &'static OnceLock<GaussLegendre>) -> &'static GaussLegendre {
    cell.get_or_init(|| GaussLegendre::new(n))
}

/// E[f(z)], z ~ N(0, 1), for f smooth on each side of 0.
pub fn expect_split(f: impl Fn(f64) -> f64) -> f64 {
    static LINE: OnceLock<GaussLegendre> = OnceLock::new();
    rule(LINE_NODES, &LINE)
        .on(0.0, CUTOFF)
        .map(|(z, w)| w * normal_pdf(z) * (f(z) + f(-z)))
        .sum()
}

/// E[f(z1) g(c z1 + sqrt(1 - c^2) z2)] for f, g smooth on each side of 0 (see the module note).
pub fn expect_pair_split(c: f64, f: impl Fn(f64) -> f64, g: impl Fn(f64) -> f64) -> f64 {
    static RAY: OnceLock<GaussLegendre> = OnceLock::new();
    static ARC: OnceLock<GaussLegendre> = OnceLock::new();
    let b = c.clamp(-1.0, 1.0).acos();
    let mut cuts: Vec<f64> = [
        FRAC_PI_2,
        3.0 * FRAC_PI_2,
        b + FRAC_PI_2,
        b + 3.0 * FRAC_PI_2,
    ]
    .iter()
    .map(|t| t.rem_euclid(TAU))
    .collect();
    cuts.sort_by(f64::total_cmp);
    let rays: Vec<(f64, f64)> = rule(RAY_NODES, &RAY).on(0.0, CUTOFF).collect();
    let mut total = 0.0;
    for k in 0..cuts.len() {
        let (start, end) = (cuts[k], cuts.get(k + 1).copied().unwrap_or(cuts[0] + TAU));
        for (t, wt) in rule(ARC_NODES, &ARC).on(start, end) {
            let (cos1, cos2) = (t.cos(), (t - b).cos());
            let along: f64 = rays
                .iter()
                .map(|&(r, wr)| wr * r * (-0.5 * r * r).exp() * f(r * cos1) * g(r * cos2))
                .sum();
            total += wt * along;
        }
    }
    total / TAU
}
