//! Wilcoxon signed-rank test on paired samples: no normality assumption, so one diverged run
//! cannot swamp the comparison the way it swamps a t-test's mean and variance.

use super::ranks::{ranks_and_ties, tie_sum};
use super::special::normal_sf;

/// Largest number of non-zero differences for which the exact null distribution is used (as
/// scipy's `method='auto'`); beyond it the normal approximation is accurate to about 1e-3.
pub const EXACT_MAX_N: usize = 50;

/// Result of [`wilcoxon`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// min(W+, W-), the statistic scipy reports for the two-sided test.
    pub w: f64,
    /// Sum of the ranks of |a - b| where a > b.
    pub w_plus: f64,
    /// Non-zero differences, the ones ranked.
    pub n: usize,
    /// Zero differences, dropped before ranking (`zero_method='wilcox'`).
    pub zeros: usize,
    /// Two-sided p.
    pub p: f64,
    /// Whether p comes from the exact null distribution (else from the normal approximation).
    pub exact: bool,
    /// Normal-approximation z of W+ (sign: a > b is positive); `None` when exact.
    pub z: Option<f64>,
}

/// Two-sided Wilcoxon signed-rank test of `a - b`, as
/// `scipy.stats.wilcoxon(a, b, zero_method='wilcox', correction=False)`: zero differences are
/// dropped and |differences| ranked with mid-ranks for ties. With at most [`EXACT_MAX_N`]
/// differences, no ties and no zeros, p comes from the exact distribution of W+ (all 2^n sign
/// patterns equally likely); otherwise from the normal approximation with the tie-corrected
/// variance n(n+1)(2n+1)/24 - Σ(t^3 - t)/48 and no continuity correction (Hollander & Wolfe,
/// Nonparametric Statistical Methods, §3.1). scipy 1.17's `method='auto'` takes a permutation
/// test instead for n <= 13 with ties or zeros; this matches its `method='asymptotic'` there.
/// `None` for unequal lengths, NaN, or no non-zero difference.
pub fn wilcoxon(a: &[f64], b: &[f64]) -> Option<Wilcoxon> {
    if a.len() != b.len() {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    if d.iter().any(|v| v.is_nan()) {
        return None;
    }
    let nonzero: Vec<f64> = d.iter().copied().filter(|&v| v != 0.0).collect();
    let (n, zeros) = (nonzero.len(), d.len() - nonzero.len());
    if n == 0 {
        return None;
    }
    let abs: Vec<f64> = nonzero.iter().map(|v| v.abs()).collect();
    let (ranks, ties) = ranks_and_ties(&abs);
    let w_plus: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(v, _)| **v > 0.0)
        .map(|(_, r)| r)
        .sum();
    let nf = n as f64;
    let exact = n <= EXACT_MAX_N && ties.is_empty() && zeros == 0;
    let (p, z) = if exact {
        // No ties: ranks are 1..=n, so W+ is a whole number.
        (exact_p(w_plus as usize, n), None)
    } else {
        let mean = nf * (nf + 1.0) / 4.0;
        let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_sum(&ties) / 48.0;
        let z = (w_plus - mean) / var.sqrt();
        ((2.0 * normal_sf(z.abs())).min(1.0), Some(z))
    };
    // Mid-ranks keep the rank total at n(n+1)/2, so W- is what W+ leaves.
    let w = w_plus.min(nf * (nf + 1.0) / 2.0 - w_plus);
    Some(Wilcoxon {
        w,
        w_plus,
        n,
        zeros,
        p,
        exact,
        z,
    })
}

/// Exact two-sided p of W+ = `w_plus` with n untied non-zero differences:
/// 2 min(P(W+ <= w), P(W+ >= w)), capped at 1 (scipy's definition).
fn exact_p(w_plus: usize, n: usize) -> f64 {
    let counts = signed_rank_counts(n);
    let total = 2f64.powi(n as i32);
    let below: u64 = counts[..=w_plus].iter().sum();
    let above: u64 = counts[w_plus..].iter().sum();
    (2.0 * below.min(above) as f64 / total).min(1.0)
}

/// Number of sign patterns giving each W+ = 0..=n(n+1)/2: the subsets of {1..n} by their sum,
/// counted by dynamic programming over the ranks (rank r either joins a subset or not). For n <= 50
/// every count is below 2^50, exact in u64 and f64.
fn signed_rank_counts(n: usize) -> Vec<u64> {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0u64; max + 1];
    counts[0] = 1;
    for r in 1..=n {
        for s in (r..=max).rev() {
            counts[s] += counts[s - r];
        }
    }
    counts
}

/// Smallest two-sided p an exact signed-rank test on n pairs can reach, 2 / 2^n (all differences
/// of one sign), capped at 1. Below n = 6 it exceeds 0.05 (n = 5 gives 0.0625): with five or
/// fewer repeats the test cannot reject at the 5% level whatever the data, so say so rather than
/// report "not significant".
pub fn min_attainable_p(n: usize) -> f64 {
    if n == 0 {
        1.0
    } else {
        0.5f64.powf(n as f64 - 1.0)
    }
}
