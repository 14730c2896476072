//! The seeded train/validation split, stratified by class for classification.
//!
//! The split is keyed by the study seed alone, so every arm of a study (and every re-run of a saved
//! study) trains and validates on exactly the same rows.

use rand::seq::SliceRandom;

use crate::rng::{derive_rng, stream};

/// Which train/validation split a repeat uses. Every arm of a repeat shares it; only the study
/// seed and the repeat decide it, so the numbers stay deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitPlan {
    /// The study's one split (keyed by the study seed alone): every repeat validates on the
    /// same rows.
    Fixed,
    /// A fresh stratified split per repeat (repeat 0 is the fixed split).
    Resampled { repeat: u64 },
    /// Stratified K-fold cross-validation: validate on fold `fold` of a partition drawn in
    /// `round` (repeats beyond K draw a new partition).
    Fold { k: usize, fold: usize, round: u64 },
}

impl SplitPlan {
    /// The plan of repeat `repeat` for folds of `k` (repeat r validates on fold r mod k).
    pub fn fold(k: usize, repeat: usize) -> Self {
        SplitPlan::Fold {
            k,
            fold: repeat % k.max(1),
            round: (repeat / k.max(1)) as u64,
        }
    }
}

/// Sub-stream of the split stream for K-fold partitions.
const FOLDS: u64 = 0x464f_4c44;

/// Positions (into the used rows) of the training and validation sets, each ascending.
pub(super) struct Split {
    pub train: Vec<usize>,
    pub val: Vec<usize>,
}

/// Splits `n` used rows: `n - floor(n * (1 - frac))` go to validation (1437/360 on digits, as in
/// the benchmark spec). With `n_classes > 0`, `labels[p]` is row `p`'s class and the split is
/// stratified: classes get their share by largest remainder, and each class with two or more rows
/// lands on both sides.
pub(super) fn split(
    labels: &[u32],
    n_classes: usize,
    n: usize,
    frac: f64,
    seed: u64,
    plan: SplitPlan,
) -> Split {
    let mut rng = match plan {
        SplitPlan::Fixed | SplitPlan::Resampled { repeat: 0 } => derive_rng(seed, &[stream::SPLIT]),
        SplitPlan::Resampled { repeat } => derive_rng(seed, &[stream::SPLIT, repeat]),
        SplitPlan::Fold { k, fold, round } => {
            return fold_split(labels, n_classes, n, k, fold, round, seed);
        }
    };
    let n_val = n - ((n as f64 * (1.0 - frac)).floor() as usize).min(n);
    let groups = strata(labels, n_classes, n);
    let quota = validation_quota(&groups, n, n_val);
    // One stream for all groups, drawn in class order: the split depends on the seed (and the
    // plan) only.
    let mut train = Vec::with_capacity(n);
    let mut val = Vec::with_capacity(n_val);
    for (mut g, k) in groups.into_iter().zip(quota) {
        g.shuffle(&mut rng);
        let k = if g.len() >= 2 {
            k.clamp(1, g.len() - 1)
        } else {
            0
        };
        val.extend_from_slice(&g[..k]);
        train.extend_from_slice(&g[k..]);
    }
    train.sort_unstable();
    val.sort_unstable();
    Split { train, val }
}

/// Stratified K-fold: each class's rows are shuffled and dealt round-robin into the K folds,
/// continuing the count from one class to the next so the folds differ in size by at most one
/// row; the validation side is fold `fold`.
fn fold_split(
    labels: &[u32],
    n_classes: usize,
    n: usize,
    k: usize,
    fold: usize,
    round: u64,
    seed: u64,
) -> Split {
    let mut rng = derive_rng(seed, &[stream::SPLIT, FOLDS, round]);
    let mut train = Vec::with_capacity(n);
    let mut val = Vec::with_capacity(n / k.max(1) + 1);
    let mut dealt = 0usize;
    for mut g in strata(labels, n_classes, n) {
        g.shuffle(&mut rng);
        for p in g {
            if dealt % k.max(1) == fold {
                val.push(p);
            } else {
                train.push(p);
            }
            dealt += 1;
        }
    }
    train.sort_unstable();
    val.sort_unstable();
    Split { train, val }
}

/// The row positions of each class, or one group of all rows when there are no classes.
fn strata(labels: &[u32], n_classes: usize, n: usize) -> Vec<Vec<usize>> {
    if n_classes == 0 {
        return vec![(0..n).collect()];
    }
    let mut groups = vec![Vec::new(); n_classes];
    for (p, &l) in labels.iter().enumerate() {
        groups[l as usize].push(p);
    }
    groups
}

/// Validation rows per group, proportional to its size: floors first, then the rows left over go
/// to the largest remainders (ties to the lower class), so the total is exactly `n_val`.
fn validation_quota(groups: &[Vec<usize>], n: usize, n_val: usize) -> Vec<usize> {
    let exact: Vec<f64> = groups
        .iter()
        .map(|g| g.len() as f64 * n_val as f64 / n as f64)
        .collect();
    let mut quota: Vec<usize> = exact.iter().map(|q| q.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..groups.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let mut left = n_val.saturating_sub(quota.iter().sum());
    for &i in by_remainder.iter().cycle().take(groups.len() * 2) {
        if left == 0 {
            break;
        }
        if quota[i] < groups[i].len() {
            quota[i] += 1;
            left -= 1;
        }
    }
    quota
}
