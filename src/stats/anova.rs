//! One-way random-effects analysis of variance: how much of a spread over repeats comes from
//! the group a repeat belongs to (its train/validation split) and how much from within a group
//! (its initialization and batch order). Searle, Casella & McCulloch, Variance Components
//! (1992), §3.5 (the balanced case) and §3.6 (unequal group sizes).

use super::special::reg_inc_beta;

/// Result of [`one_way_random`]: the ANOVA table and the variance components it estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct OneWay {
    /// Groups (a).
    pub groups: usize,
    /// Observations (N).
    pub n: usize,
    /// The effective group size n0 = (N - Σ n_i² / N) / (a - 1); the common size when balanced.
    pub n0: f64,
    /// Mean square between groups, SSB / (a - 1).
    pub ms_between: f64,
    /// Mean square within groups, SSW / (N - a).
    pub ms_within: f64,
    /// a - 1.
    pub df_between: f64,
    /// N - a.
    pub df_within: f64,
    /// F = MS_between / MS_within (infinite when only the groups vary).
    pub f: f64,
    /// Upper tail of F(a - 1, N - a) at `f`: the test that the group variance is zero.
    pub p: f64,
    /// Between-group variance component, (MS_between - MS_within) / n0, truncated at 0.
    pub var_between: f64,
    /// Within-group variance component, MS_within.
    pub var_within: f64,
    /// The between-group estimate came out negative and was set to 0 (MS_between < MS_within:
    /// the groups differ less than their members do, which chance alone does now and then).
    pub truncated: bool,
}

impl OneWay {
    /// The share of the total variance (between + within) that the groups account for; `None`
    /// when both components are zero.
    pub fn share_between(&self) -> Option<f64> {
        let total = self.var_between + self.var_within;
        (total > 0.0).then(|| self.var_between / total)
    }

    /// The share that lies within groups; `None` when both components are zero.
    pub fn share_within(&self) -> Option<f64> {
        self.share_between().map(|s| 1.0 - s)
    }
}

/// The ANOVA (method-of-moments) estimates of the one-way random-effects model
/// y_ij = μ + a_i + e_ij with var(a_i) = σ²_a, var(e_ij) = σ²_e, for groups of any sizes:
/// E[MS_within] = σ²_e and E[MS_between] = σ²_e + n0 σ²_a, solved for the components (Searle
/// et al. 1992, eq. 3.90-3.93). F and p are the fixed-effects one-way ANOVA's (as
/// `scipy.stats.f_oneway`), which tests σ²_a = 0 exactly under normality. `None` for fewer than
/// two groups, an empty group, no more observations than groups (no within-group degrees of
/// freedom), a value that is not finite, or no variation at all.
pub fn one_way_random<G: AsRef<[f64]>>(groups: &[G]) -> Option<OneWay> {
    let groups: Vec<&[f64]> = groups.iter().map(AsRef::as_ref).collect();
    let a = groups.len();
    let n: usize = groups.iter().map(|g| g.len()).sum();
    let usable = a >= 2
        && n > a
        && groups.iter().all(|g| !g.is_empty())
        && groups.iter().flat_map(|g| g.iter()).all(|v| v.is_finite());
    if !usable {
        return None;
    }
    let nf = n as f64;
    let grand = groups.iter().flat_map(|g| g.iter()).sum::<f64>() / nf;
    let (mut ss_between, mut ss_within) = (0.0, 0.0);
    for g in &groups {
        let m = g.iter().sum::<f64>() / g.len() as f64;
        ss_between += g.len() as f64 * (m - grand).powi(2);
        ss_within += g.iter().map(|v| (v - m).powi(2)).sum::<f64>();
    }
    let (df_between, df_within) = ((a - 1) as f64, (n - a) as f64);
    let (ms_between, ms_within) = (ss_between / df_between, ss_within / df_within);
    if ms_between == 0.0 && ms_within == 0.0 {
        return None;
    }
    let sum_sq_sizes: f64 = groups.iter().map(|g| (g.len() as f64).powi(2)).sum();
    let n0 = (nf - sum_sq_sizes / nf) / df_between;
    let raw_between = (ms_between - ms_within) / n0;
    let (f, p) = if ms_within == 0.0 {
        (f64::INFINITY, 0.0)
    } else {
        let f = ms_between / ms_within;
        (f, f_sf(f, df_between, df_within))
    };
    Some(OneWay {
        groups: a,
        n,
        n0,
        ms_between,
        ms_within,
        df_between,
        df_within,
        f,
        p,
        var_between: raw_between.max(0.0),
        var_within: ms_within,
        truncated: raw_between < 0.0,
    })
}

/// Upper tail of the F distribution with (d1, d2) degrees of freedom:
/// P(F > f) = I_{d2 / (d2 + d1 f)}(d2 / 2, d1 / 2) (Abramowitz & Stegun 26.6.2).
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    reg_inc_beta(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
}
