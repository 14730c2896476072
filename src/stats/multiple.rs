//! Corrections for testing several hypotheses at once (one comparison per initializer).

/// Holm–Bonferroni adjusted p-values, in the input order (Holm 1979, Scand. J. Statist. 6:65–70;
/// as `statsmodels.stats.multitest.multipletests(p, method='holm')[1]`). The i-th smallest of m
/// p-values is multiplied by m - i (i from 0), a running maximum keeps the adjusted values in
/// the order of the raw ones, and they are capped at 1. Rejecting where adjusted p <= alpha
/// controls the family-wise error at alpha under any dependence and never rejects less than
/// Bonferroni. A NaN (a comparison that could not be tested) stays NaN and is not counted in m.
pub fn holm(pvalues: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..pvalues.len())
        .filter(|&i| !pvalues[i].is_nan())
        .collect();
    order.sort_by(|&i, &j| pvalues[i].total_cmp(&pvalues[j]));
    let m = order.len();
    let mut adjusted = vec![f64::NAN; pvalues.len()];
    let mut running = 0.0_f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * pvalues[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}
