//! Ranks with ties shared (mid-ranks), the common ground of the rank tests: Wilcoxon ranks the
//! absolute differences, Friedman and Nemenyi rank the treatments within each block.

/// Ranks 1..=n of `x`, smallest first, tied values sharing the mean of the ranks they span
/// (mid-ranks, as `scipy.stats.rankdata(x, method='average')`). Ties are exact equality: round
/// beforehand if nearly equal values should tie. NaN ranks last (the tests reject it earlier).
pub fn mid_ranks(x: &[f64]) -> Vec<f64> {
    ranks_and_ties(x).0
}

/// Mid-ranks and the size of every tie group (groups of one left out).
pub(crate) fn ranks_and_ties(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut ranks = vec![0.0; x.len()];
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Sorted positions start..end would hold ranks start + 1 ..= end; each gets their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        if end - start > 1 {
            ties.push(end - start);
        }
        start = end;
    }
    (ranks, ties)
}

/// Σ (t^3 - t) over tie groups of sizes t: the amount ties shrink a rank statistic's variance.
pub(crate) fn tie_sum(ties: &[usize]) -> f64 {
    ties.iter().map(|&t| (t * t * t - t) as f64).sum()
}

/// Average rank of each treatment (column) over the blocks (rows: datasets, or repeats), ranking
/// within each row with lower = better = rank 1 and ties sharing mid-ranks (Demšar 2006, §3.2.2).
/// Pass losses as they are, negate accuracies; a matrix of ranks comes back unchanged. `None` for
/// no rows, no columns, rows of different lengths or NaN.
pub fn average_ranks<R: AsRef<[f64]>>(rows: &[R]) -> Option<Vec<f64>> {
    let n = rows.len() as f64;
    Some(rank_rows(rows)?.0.into_iter().map(|s| s / n).collect())
}

/// Rank sums per column and Σ (t^3 - t) over the ties of every row.
pub(crate) fn rank_rows<R: AsRef<[f64]>>(rows: &[R]) -> Option<(Vec<f64>, f64)> {
    let k = rows.first()?.as_ref().len();
    let valid = |r: &R| r.as_ref().len() == k && !r.as_ref().iter().any(|v| v.is_nan());
    if k == 0 || !rows.iter().all(valid) {
        return None;
    }
    let mut sums = vec![0.0; k];
    let mut ties = 0.0;
    for row in rows {
        let (ranks, t) = ranks_and_ties(row.as_ref());
        sums.iter_mut().zip(&ranks).for_each(|(s, r)| *s += r);
        ties += tie_sum(&t);
    }
    Some((sums, ties))
}
