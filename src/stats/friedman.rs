//! Comparing k treatments (initializers) over N blocks (datasets or repeats) by their ranks:
//! Friedman's test, then Nemenyi's critical difference for the pairs (Demšar, "Statistical
//! Comparisons of Classifiers over Multiple Data Sets", JMLR 7:1–30, 2006).

use super::ranks::rank_rows;
use super::special::chi2_sf;

/// Result of [`friedman`].
#[derive(Debug, Clone, PartialEq)]
pub struct Friedman {
    /// Tie-corrected chi-square statistic.
    pub chi2: f64,
    /// k - 1.
    pub df: f64,
    /// Upper chi-square tail of `chi2`.
    pub p: f64,
    /// Blocks (rows).
    pub n: usize,
    /// Treatments (columns).
    pub k: usize,
    /// Average rank of each treatment, 1 = best (see [`super::average_ranks`]).
    pub avg_ranks: Vec<f64>,
}

/// Friedman's test that k treatments rank alike over N blocks, as
/// `scipy.stats.friedmanchisquare(*columns)`: rows are blocks, columns treatments, lower is
/// better (ranks or negated accuracies work too). With R_j the column rank sums,
/// chi2 = (12 / (N k (k+1)) Σ R_j^2 - 3 N (k+1)) / C, where the tie correction is
/// C = 1 - Σ(t^3 - t) / (N k (k^2 - 1)) (Hollander & Wolfe, Nonparametric Statistical Methods,
/// §7.1). p from chi-square with k - 1 df, an approximation that wants N > 10 and k > 5 as a rule
/// of thumb (Demšar 2006, §3.2.2). `None` for fewer than three treatments (scipy's limit; use
/// [`super::wilcoxon`] for two), ragged rows, NaN, or every row fully tied.
pub fn friedman<R: AsRef<[f64]>>(rows: &[R]) -> Option<Friedman> {
    let (rank_sums, ties) = rank_rows(rows)?;
    let (n, k) = (rows.len(), rank_sums.len());
    if k < 3 {
        return None;
    }
    let (nf, kf) = (n as f64, k as f64);
    let correction = 1.0 - ties / (nf * kf * (kf * kf - 1.0));
    if correction <= 0.0 {
        return None;
    }
    let sum_sq: f64 = rank_sums.iter().map(|r| r * r).sum();
    let chi2 = (12.0 / (nf * kf * (kf + 1.0)) * sum_sq - 3.0 * nf * (kf + 1.0)) / correction;
    let df = kf - 1.0;
    let p = chi2_sf(chi2, df);
    let avg_ranks = rank_sums.iter().map(|s| s / nf).collect();
    Some(Friedman {
        chi2,
        df,
        p,
        n,
        k,
        avg_ranks,
    })
}

/// q_alpha for k = 2..=10 treatments: the studentized range statistic divided by sqrt(2)
/// (Demšar 2006, Table 5a).
const Q_05: [f64; 9] = [
    1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164,
];
const Q_10: [f64; 9] = [
    1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920,
];

/// Nemenyi's q_alpha for k treatments; `None` outside the table (k = 2..=10, alpha = 0.05 or 0.10).
pub fn nemenyi_q(k: usize, alpha: f64) -> Option<f64> {
    let table = if (alpha - 0.05).abs() < 1e-9 {
        &Q_05
    } else if (alpha - 0.10).abs() < 1e-9 {
        &Q_10
    } else {
        return None;
    };
    table.get(k.checked_sub(2)?).copied()
}

/// Nemenyi critical difference CD = q_alpha sqrt(k (k+1) / (6 N)) (Demšar 2006, §3.2.2): two
/// treatments whose average ranks over N blocks differ by at least CD differ at level alpha,
/// all pairs together. `None` for N = 0 or outside the q table (see [`nemenyi_q`]).
pub fn nemenyi_cd(k: usize, n_datasets: usize, alpha: f64) -> Option<f64> {
    if n_datasets == 0 {
        return None;
    }
    let q = nemenyi_q(k, alpha)?;
    Some(q * ((k * (k + 1)) as f64 / (6.0 * n_datasets as f64)).sqrt())
}

/// The bars of a critical-difference diagram: every maximal run `(first, last)` of positions in
/// `sorted_ranks` (average ranks, ascending) whose ranks lie within `cd` of each other, leaving
/// out runs inside an earlier one.
pub fn cd_groups(sorted_ranks: &[f64], cd: f64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut last_end = 0;
    for start in 0..sorted_ranks.len() {
        let end = (start..sorted_ranks.len())
            .take_while(|&e| sorted_ranks[e] - sorted_ranks[start] <= cd)
            .last();
        if let Some(end) = end.filter(|&e| e > start && e > last_end) {
            last_end = end;
            out.push((start, end));
        }
    }
    out
}
