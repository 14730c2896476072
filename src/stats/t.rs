//! Student-t distribution and the t-tests built on it: Welch's (independent samples) and the
//! paired test on per-repeat differences (same seeds, so the repeats pair up).

use super::describe::{mean, std_dev};
use super::special::reg_inc_beta;

/// Welch's unequal-variance t-test: `(t, degrees of freedom, two-sided p)`. Needs two values on
/// each side; identical constant samples give p = 1, distinct constant samples p = 0.
pub fn welch(a: &[f64], b: &[f64]) -> Option<(f64, f64, f64)> {
    let (ma, mb, sa, sb) = (mean(a)?, mean(b)?, std_dev(a)?, std_dev(b)?);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (va, vb) = (sa * sa / na, sb * sb / nb);
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some((0.0, na + nb - 2.0, if ma == mb { 1.0 } else { 0.0 }));
    }
    let t = (ma - mb) / se2.sqrt();
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    Some((t, df, t_two_sided_p(t, df)))
}

/// Paired t-test of `a - b` (as `scipy.stats.ttest_rel(a, b)`) with the effect size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedT {
    /// Pairs used.
    pub n: usize,
    /// Mean of the differences `a[i] - b[i]`.
    pub mean_diff: f64,
    /// Sample standard deviation of the differences (n - 1).
    pub sd_diff: f64,
    /// 95% confidence interval of the mean difference (Student t, n - 1 df).
    pub ci95: (f64, f64),
    pub t: f64,
    pub df: f64,
    /// Two-sided p.
    pub p: f64,
    /// Cohen's d_z = mean_diff / sd_diff: the effect in units of the pair-to-pair spread, which
    /// is what the paired test sees (Lakens 2013, Front. Psychol. 4:863, eq. 6); t = d_z sqrt(n).
    pub dz: f64,
}

/// Paired t-test on the differences `a[i] - b[i]`: more power than Welch's when the pairs share
/// their noise (same seed, same data split). `None` for unequal lengths, fewer than two pairs or
/// differences that do not vary (all equal to rounding, 4 ulp of the largest): there the t
/// statistic is undefined (scipy returns nan or ±inf), and the caller should report the constant
/// difference instead.
pub fn paired_t(a: &[f64], b: &[f64]) -> Option<PairedT> {
    if a.len() != b.len() {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let (m, s) = (mean(&d)?, std_dev(&d)?);
    let largest = d.iter().fold(0.0_f64, |acc, v| acc.max(v.abs()));
    if s.is_nan() || s <= 4.0 * f64::EPSILON * largest {
        return None;
    }
    let n = d.len() as f64;
    let df = n - 1.0;
    let se = s / n.sqrt();
    let t = m / se;
    let half = t_quantile(0.975, df) * se;
    Some(PairedT {
        n: d.len(),
        mean_diff: m,
        sd_diff: s,
        ci95: (m - half, m + half),
        t,
        df,
        p: t_two_sided_p(t, df),
        dz: m / s,
    })
}

/// CDF of Student's t with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * t_two_sided_p(t, df);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// Two-sided p of a t statistic, P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2) (the incomplete-beta
/// form of the t tail, Numerical Recipes 3rd ed. §6.14), taken directly rather than as
/// 2(1 - cdf) so tiny p keep their digits.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    reg_inc_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// Quantile of Student's t by bisection on the CDF (monotone; 200 halvings reach f64 precision).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (-1e6, 1e6);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        // Adjacent floats: every further step would leave `lo` and `hi` as they are (about 75
        // steps in; each step costs an incomplete beta, and the app's table asks every frame).
        if mid == lo || mid == hi {
            break;
        }
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}
