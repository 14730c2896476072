//! The statistics against independently computed references. Unless a test says otherwise the
//! numbers come from SciPy 1.17.1 / statsmodels 0.15.0 (the call is named by each), printed with
//! repr() and pasted here; none is computed with the code under test.

use initlab::stats::{
    EXACT_MAX_N, average_ranks, cd_groups, chi2_sf, ci95, f_sf, friedman, holm, ln_gamma, mean,
    mid_ranks, min_attainable_p, nemenyi_cd, nemenyi_q, normal_cdf, normal_sf, one_way_random,
    paired_t, reg_inc_beta, reg_inc_gamma, reg_inc_gamma_upper, std_dev, student_t_cdf, t_quantile,
    t_two_sided_p, welch, wilcoxon,
};

/// |actual - expected| <= rel * |expected| (or <= rel when expected is 0).
#[track_caller]
fn close(actual: f64, expected: f64, rel: f64) {
    let tol = rel * expected.abs().max(if expected == 0.0 { 1.0 } else { 0.0 });
    assert!(
        (actual - expected).abs() <= tol,
        "{actual} vs {expected} (rel tol {rel})"
    );
}

const A: [f64; 8] = [0.512, 0.498, 0.530, 0.505, 0.521, 0.489, 0.517, 0.502];
const B: [f64; 8] = [0.498, 0.495, 0.512, 0.507, 0.503, 0.480, 0.509, 0.496];

// ---- descriptive, Student t, Welch -------------------------------------------------------------

#[test]
fn mean_sd_ci_match_numpy_and_scipy() {
    // np.mean(A), np.std(A, ddof=1), stats.t.interval(0.95, 7, loc=mean, scale=stats.sem(A))
    close(mean(&A).unwrap(), 0.50925, 1e-14);
    close(std_dev(&A).unwrap(), 0.013328272849205087, 1e-12);
    let (lo, hi) = ci95(&A).unwrap();
    close(lo, 0.4981072850488753, 1e-12);
    close(hi, 0.5203927149511247, 1e-12);
    assert_eq!(
        (mean(&[]), std_dev(&[1.0]), ci95(&[1.0])),
        (None, None, None)
    );
}

#[test]
fn student_t_matches_scipy() {
    // stats.t.cdf(-2.0, 5), stats.t.cdf(1.5, 12.5), stats.t.ppf(0.975, 7), stats.t.ppf(0.025, 3)
    close(student_t_cdf(-2.0, 5.0), 0.050969739414929174, 1e-12);
    close(student_t_cdf(1.5, 12.5), 0.9207787065051751, 1e-12);
    close(t_quantile(0.975, 7.0), 2.364624251592784, 1e-12);
    close(t_quantile(0.025, 3.0), -3.1824463052837086, 1e-12);
    // Two-sided p is twice the lower tail at -|t|.
    close(t_two_sided_p(2.0, 5.0), 2.0 * 0.050969739414929174, 1e-12);
    // Many df, where the incomplete beta must pick its convergent continued fraction:
    // stats.t.cdf(-3.0, 2000.0), 2 * stats.t.sf(3.0, 2000.0)
    close(student_t_cdf(-3.0, 2000.0), 0.0013665718810164, 1e-11);
    close(t_two_sided_p(3.0, 2000.0), 0.0027331437620328, 1e-11);
}

#[test]
fn welch_matches_scipy_ttest_ind() {
    // stats.ttest_ind(A, B + [0.470], equal_var=False)
    let mut b = B.to_vec();
    b.push(0.470);
    let (t, df, p) = welch(&A, &b).unwrap();
    close(t, 1.9094702217365038, 1e-12);
    close(df, 14.880789756189149, 1e-12);
    close(p, 0.07567355347977522, 1e-10);
    // Documented constant-sample cases (scipy gives nan / inf there).
    assert_eq!(welch(&[1.0, 1.0, 1.0], &[1.0, 1.0]), Some((0.0, 3.0, 1.0)));
    assert_eq!(welch(&[1.0, 1.0], &[2.0, 2.0]), Some((0.0, 2.0, 0.0)));
}

#[test]
fn ln_gamma_and_incomplete_beta_match_scipy_special() {
    // special.gammaln(0.1), (0.5), (10.0), (123.4)
    close(ln_gamma(0.1), 2.252712651734206, 1e-13);
    close(ln_gamma(0.5), 0.5723649429247, 1e-13);
    close(ln_gamma(10.0), 12.801827480081469, 1e-13);
    close(ln_gamma(123.4), 469.3360974421906, 1e-13);
    // special.betainc(2.5, 0.5, 0.3), (0.5, 3.0, 0.9), (4.0, 0.5, 0.99)
    close(reg_inc_beta(2.5, 0.5, 0.3), 0.018927124071945658, 1e-12);
    close(reg_inc_beta(0.5, 3.0, 0.9), 0.9996750253207289, 1e-12);
    close(reg_inc_beta(4.0, 0.5, 0.99), 0.7834244062500001, 1e-12);
    assert_eq!(
        (reg_inc_beta(2.0, 3.0, 0.0), reg_inc_beta(2.0, 3.0, 1.0)),
        (0.0, 1.0)
    );
    // Either side of the switch x = (a+1)/(a+b+2) between I_x(a, b) and 1 - I_{1-x}(b, a), where
    // the wrong continued fraction fails: special.betainc(a, b, x) for each row.
    let beta_cases = [
        (5.0, 10.0, 0.9, 0.99999993159585),
        (100.0, 50.0, 0.7, 0.8054481662277535),
        (20.0, 50.0, 0.3, 0.617490751618768),
        (50.0, 5.0, 0.88, 0.20820750652016085),
        (0.5, 50.0, 0.02, 0.8437564921331819),
        (3.0, 3.0, 0.55, 0.593126875),
    ];
    for (a, b, x, expected) in beta_cases {
        close(reg_inc_beta(a, b, x), expected, 1e-12);
    }
}

// ---- paired t ----------------------------------------------------------------------------------

#[test]
fn paired_t_matches_scipy_ttest_rel() {
    // r = stats.ttest_rel(A, B); r.statistic, r.pvalue, r.df, r.confidence_interval(0.95);
    // d = A - B: d.mean(), d.std(ddof=1), d.mean() / d.std(ddof=1)
    let r = paired_t(&A, &B).unwrap();
    assert_eq!(r.n, 8);
    close(r.t, 3.68163760377696, 1e-10);
    close(r.p, 0.007842698450186217, 1e-9);
    assert_eq!(r.df, 7.0);
    close(r.ci95.0, 0.0033089550952016154, 1e-9);
    close(r.ci95.1, 0.0151910449047984, 1e-9);
    close(r.mean_diff, 0.009250000000000008, 1e-12);
    close(r.sd_diff, 0.007106335201775954, 1e-10);
    close(r.dz, 1.30165545775104, 1e-10);
    // Swapping the samples mirrors everything but p.
    let s = paired_t(&B, &A).unwrap();
    close(s.t, -r.t, 1e-12);
    close(s.dz, -r.dz, 1e-12);
    close(s.ci95.0, -r.ci95.1, 1e-12);
    close(s.p, r.p, 1e-12);
}

#[test]
fn paired_t_keeps_tiny_p_values() {
    // a[i] = 1 + 0.01 i + 0.002 ((7 i) % 5), b[i] = 0.01 i, i < 30; stats.ttest_rel(a, b)
    let a: Vec<f64> = (0..30)
        .map(|i| 1.0 + 0.01 * i as f64 + 0.002 * ((i * 7) % 5) as f64)
        .collect();
    let b: Vec<f64> = (0..30).map(|i| 0.01 * i as f64).collect();
    let r = paired_t(&a, &b).unwrap();
    close(r.t, 1911.5590495718282, 1e-8);
    close(r.p, 1.6273338574806425e-75, 1e-6);
}

#[test]
fn paired_t_needs_varying_differences() {
    // Constant differences: scipy gives t = inf (or nan for a zero mean); here None.
    assert!(paired_t(&[1.0, 2.0, 3.0], &[0.0, 1.0, 2.0]).is_none());
    assert!(paired_t(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).is_none());
    // Equal up to rounding (0.1 + 0.2 != 0.3) counts as constant too.
    assert!(paired_t(&[0.3, 1.3, 0.1 + 0.2], &[0.0, 1.0, 0.0]).is_none());
    // The rounding allowance scales with the differences: here they are 1000.3 give or take an
    // ulp (numpy: sd 1.1e-13), still constant.
    assert!(paired_t(&[1000.3, 2000.3, 1000.1 + 0.2], &[0.0, 1000.0, 0.0]).is_none());
    assert!(paired_t(&[1.0], &[0.0]).is_none());
    assert!(paired_t(&[1.0, 2.0], &[0.0]).is_none());
    assert!(paired_t(&[1.0, f64::NAN, 3.0], &[0.0, 0.0, 0.0]).is_none());
    // Two pairs that differ do give a test (hand: d = [1, 3], t = 2 / (sqrt 2 / sqrt 2) = 2).
    close(paired_t(&[1.0, 3.0], &[0.0, 0.0]).unwrap().t, 2.0, 1e-12);
}

// ---- Wilcoxon signed-rank ----------------------------------------------------------------------

const WX: [f64; 10] = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30, 0.95];
#[allow(clippy::approx_constant)] // 3.14 is a measurement, not π
const WY: [f64; 10] = [
    0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29, 1.10,
];

#[test]
fn wilcoxon_exact_small_n_matches_scipy() {
    // stats.wilcoxon(WX, WY, zero_method='wilcox', correction=False, method='exact') (and 'auto')
    // -> statistic 9.0, p 0.064453125 (= 66 / 1024). Hand: W- = 3 + 2 + 4 = 9, W+ = 55 - 9 = 46.
    let r = wilcoxon(&WX, &WY).unwrap();
    assert!(r.exact);
    assert_eq!((r.w, r.w_plus, r.n, r.zeros, r.z), (9.0, 46.0, 10, 0, None));
    close(r.p, 0.064453125, 1e-14);
    let s = wilcoxon(&WY, &WX).unwrap();
    assert_eq!((s.w, s.w_plus), (9.0, 9.0));
    close(s.p, r.p, 1e-14);
}

#[test]
fn wilcoxon_exact_n20_matches_scipy() {
    // d = np.round(np.random.default_rng(1).normal(0.3, 1, 20), 3);
    // stats.wilcoxon(d, zero_method='wilcox', correction=False, method='exact')
    let d = [
        0.646, 1.122, 0.63, -1.003, 1.205, 0.746, -0.237, 0.881, 0.665, 0.594, 0.328, 0.847,
        -0.436, 0.137, -0.182, 0.899, 0.34, 0.008, -0.482, 0.043,
    ];
    let r = wilcoxon(&d, &[0.0; 20]).unwrap();
    assert!(r.exact);
    assert_eq!(r.w, 44.0);
    close(r.p, 0.021484375, 1e-13);
}

/// The continuation of the same generator: np.round(rng.normal(0.25, 1, 51), 4), no ties.
const D51: [f64; 51] = [
    0.2581, -0.0256, 1.5441, 1.2567, -2.4612, -1.639, 0.0752, -0.1722, 0.4636, 0.4673, 2.3678,
    -0.862, -0.1276, 2.2928, 0.8967, 0.9131, -0.264, -1.3981, 0.4175, 0.359, -0.9774, -0.4332,
    0.178, -0.6948, 0.1517, 0.3455, 0.2856, -0.2563, 0.8437, 1.1412, 0.5708, -0.5682, 0.9817,
    -0.2514, 1.1292, -0.8218, 1.1645, 0.2299, -0.9987, -0.0639, 0.3041, 0.5228, -0.7322, -0.8574,
    0.4496, -0.2167, 0.4855, 1.0095, -1.3988, 0.5044, 1.4746,
];

#[test]
fn wilcoxon_exact_up_to_50_then_normal() {
    // stats.wilcoxon(D51[:50], correction=False, method='auto') -> 512.0, 0.22974800885474522
    let r = wilcoxon(&D51[..50], &[0.0; 50]).unwrap();
    assert!(r.exact && r.n == EXACT_MAX_N);
    assert_eq!(r.w, 512.0);
    close(r.p, 0.22974800885474522, 1e-10);
    // stats.wilcoxon(D51, correction=False, method='auto') (same as 'asymptotic')
    // -> 514.0, 0.1625198806974485, zstatistic -1.396646563311185
    let r = wilcoxon(&D51, &[0.0; 51]).unwrap();
    assert!(!r.exact);
    assert_eq!(r.w, 514.0);
    close(r.p, 0.1625198806974485, 1e-10);
    close(r.z.unwrap(), 1.396646563311185, 1e-10);
}

#[test]
fn wilcoxon_ties_and_zeros_use_corrected_normal_approximation() {
    // d: 2 zeros, tie groups |d| = 0.2 (x7), 0.3 (x5); stats.wilcoxon(d, zero_method='wilcox',
    // correction=False, method='asymptotic') -> 10.0, 0.011066885214094492, z -2.540579747724022.
    // (scipy's 'auto' would run a permutation test here, n <= 13 with ties.)
    let d = [
        0.2, 0.2, 0.0, -0.2, 0.3, 0.0, 0.3, 0.2, 0.3, 0.1, 0.2, 0.3, -0.2, 0.3, 0.2,
    ];
    let r = wilcoxon(&d, &[0.0; 15]).unwrap();
    assert!(!r.exact);
    assert_eq!((r.n, r.zeros, r.w, r.w_plus), (13, 2, 10.0, 81.0));
    close(r.p, 0.011066885214094492, 1e-10);
    close(r.z.unwrap(), 2.540579747724022, 1e-10);
    // Mirrored: same p, z negative.
    let neg: Vec<f64> = d.iter().map(|v| -v).collect();
    let s = wilcoxon(&neg, &[0.0; 15]).unwrap();
    close(s.z.unwrap(), -2.540579747724022, 1e-10);
    close(s.p, r.p, 1e-12);
    // A tie alone (no zeros) already leaves the exact path.
    assert!(!wilcoxon(&[1.0, -1.0, 2.0, 3.0], &[0.0; 4]).unwrap().exact);
    // A zero alone too.
    assert!(!wilcoxon(&[1.0, -2.0, 0.0, 3.0], &[0.0; 4]).unwrap().exact);
}

#[test]
fn wilcoxon_cannot_reach_5_percent_below_six_pairs() {
    // Hand: 2 / 2^n. stats.wilcoxon(np.arange(1, n + 1), method='exact').pvalue: 0.0625 (n = 5),
    // 0.03125 (n = 6).
    assert_eq!(min_attainable_p(0), 1.0);
    assert_eq!(min_attainable_p(1), 1.0);
    assert_eq!(min_attainable_p(2), 0.5);
    assert_eq!(min_attainable_p(5), 0.0625);
    assert_eq!(min_attainable_p(6), 0.03125);
    assert!((1..6).all(|n| min_attainable_p(n) > 0.05) && min_attainable_p(6) < 0.05);
    for (n, p) in [(5, 0.0625), (6, 0.03125)] {
        let a: Vec<f64> = (1..=n).map(f64::from).collect();
        let r = wilcoxon(&a, &vec![0.0; a.len()]).unwrap();
        assert_eq!((r.w, r.p, r.exact), (0.0, p, true));
    }
    // One pair: p = 1 (2 * 1/2), never above 1.
    assert_eq!(wilcoxon(&[1.0], &[0.0]).unwrap().p, 1.0);
}

#[test]
fn wilcoxon_rejects_what_it_cannot_test() {
    assert!(wilcoxon(&[1.0, 2.0], &[1.0, 2.0]).is_none());
    assert!(wilcoxon(&[1.0, 2.0], &[1.0]).is_none());
    assert!(wilcoxon(&[1.0, f64::NAN], &[0.0, 0.0]).is_none());
    assert!(wilcoxon(&[], &[]).is_none());
}

// ---- Holm --------------------------------------------------------------------------------------

#[test]
fn holm_matches_statsmodels() {
    // multipletests([0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.6], method='holm')[1]
    let adj = holm(&[0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.6]);
    let expected = [0.06, 0.16, 0.15, 0.035, 0.4, 0.16, 0.6];
    adj.iter()
        .zip(expected)
        .for_each(|(&a, e)| close(a, e, 1e-12));
    // multipletests([0.02, 0.001, 0.5, 0.012], method='holm')[1]
    let adj = holm(&[0.02, 0.001, 0.5, 0.012]);
    let expected = [0.04, 0.004, 0.5, 0.036000000000000004];
    adj.iter()
        .zip(expected)
        .for_each(|(&a, e)| close(a, e, 1e-12));
}

#[test]
fn holm_caps_at_one_and_skips_nan() {
    // Hand: m = 3 -> 3 * 0.5 capped at 1; the running maximum carries 1 to the 0.6.
    assert_eq!(holm(&[0.6, 0.5, 0.01]), vec![1.0, 1.0, 0.03]);
    // NaN is left out of the family: m = 2 for the others.
    let adj = holm(&[0.02, f64::NAN, 0.03]);
    assert!(adj[1].is_nan());
    close(adj[0], 0.04, 1e-12);
    close(adj[2], 0.04, 1e-12);
    assert!(holm(&[]).is_empty());
}

// ---- ranks, Friedman, Nemenyi ------------------------------------------------------------------

#[test]
fn mid_ranks_share_ties() {
    // Hand, as stats.rankdata([3, 1, 4, 1, 5, 4, 4], method='average').
    assert_eq!(
        mid_ranks(&[3.0, 1.0, 4.0, 1.0, 5.0, 4.0, 4.0]),
        [3.0, 1.5, 5.0, 1.5, 7.0, 5.0, 5.0]
    );
    assert!(mid_ranks(&[]).is_empty());
    // NaN equals nothing, itself included, and ranks last.
    assert_eq!(mid_ranks(&[f64::NAN, 2.0, 1.0]), [3.0, 2.0, 1.0]);
}

/// 6 blocks x 4 treatments with ties in three rows.
const M: [[f64; 4]; 6] = [
    [0.31, 0.28, 0.35, 0.28],
    [0.42, 0.40, 0.45, 0.41],
    [0.25, 0.25, 0.25, 0.22],
    [0.55, 0.50, 0.56, 0.52],
    [0.33, 0.30, 0.30, 0.36],
    [0.47, 0.45, 0.50, 0.44],
];

#[test]
fn average_ranks_match_scipy_rankdata() {
    // stats.rankdata(M, axis=1).mean(axis=0)
    let r = average_ranks(&M).unwrap();
    let expected = [
        3.0,
        1.6666666666666667,
        3.4166666666666665,
        1.9166666666666667,
    ];
    r.iter()
        .zip(expected)
        .for_each(|(&a, e)| close(a, e, 1e-14));
    let ragged: Vec<Vec<f64>> = vec![vec![1.0, 2.0], vec![1.0]];
    assert!(average_ranks(&ragged).is_none());
    assert!(average_ranks::<Vec<f64>>(&[]).is_none());
    assert!(average_ranks(&[[0.0; 0]]).is_none());
    assert!(average_ranks(&[[1.0, f64::NAN]]).is_none());
}

#[test]
fn friedman_with_ties_matches_scipy() {
    // stats.friedmanchisquare(*M.T) -> 8.500000000000005, 0.03673311466858918
    let f = friedman(&M).unwrap();
    close(f.chi2, 8.5, 1e-12);
    close(f.p, 0.03673311466858918, 1e-10);
    assert_eq!((f.n, f.k, f.df), (6, 4, 3.0));
    close(f.avg_ranks[2], 3.4166666666666665, 1e-14);
}

#[test]
fn friedman_without_ties_matches_scipy() {
    // stats.friedmanchisquare(*M2.T) -> 5.200000000000003, 0.0742735782143338
    let m2 = [
        [1.0, 2.0, 3.0],
        [1.0, 3.0, 2.0],
        [2.0, 1.0, 3.0],
        [1.0, 2.0, 3.0],
        [1.0, 3.0, 2.0],
    ];
    let f = friedman(&m2).unwrap();
    close(f.chi2, 5.2, 1e-12);
    close(f.p, 0.0742735782143338, 1e-10);
    assert_eq!(f.df, 2.0);
}

#[test]
fn friedman_rejects_what_it_cannot_test() {
    assert!(
        friedman(&[[1.0, 2.0], [2.0, 1.0]]).is_none(),
        "k = 2: scipy's limit"
    );
    assert!(
        friedman(&[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]).is_none(),
        "all rows tied"
    );
    assert!(friedman(&[[1.0, 2.0, f64::NAN]]).is_none());
    // One row not fully tied is enough. Hand: rank sums 3, 4, 5; C = 1 - 24 / (2 * 3 * 8) = 0.5;
    // chi2 = (12 / 24 * 50 - 24) / 0.5 = 2; p = exp(-1). stats.friedmanchisquare([1, 1], [1, 2],
    // [1, 3]) -> 2.0, 0.36787944117144245.
    let f = friedman(&[[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]).unwrap();
    close(f.chi2, 2.0, 1e-12);
    close(f.p, 0.36787944117144245, 1e-12);
}

#[test]
fn nemenyi_cd_matches_demsar() {
    // Demšar 2006, §3.2.2 / Table 5a: k = 4, N = 14, alpha = 0.05 -> q = 2.569, CD = 1.25
    // (hand: 2.569 * sqrt(20 / 84) = 1.2535436...).
    assert_eq!(nemenyi_q(4, 0.05), Some(2.569));
    close(nemenyi_cd(4, 14, 0.05).unwrap(), 1.2535436437023908, 1e-12);
    assert!((nemenyi_cd(4, 14, 0.05).unwrap() - 1.25).abs() < 0.01);
    // Table ends (Demšar Table 5a): k = 2 and 10 at both levels.
    assert_eq!(nemenyi_q(2, 0.05), Some(1.960));
    assert_eq!(nemenyi_q(10, 0.05), Some(3.164));
    assert_eq!(nemenyi_q(2, 0.10), Some(1.645));
    assert_eq!(nemenyi_q(10, 0.10), Some(2.920));
    // Hand: 2.291 * sqrt(4 * 5 / (6 * 10)) for alpha = 0.10, k = 4, N = 10.
    close(
        nemenyi_cd(4, 10, 0.10).unwrap(),
        2.291 * (20.0f64 / 60.0).sqrt(),
        1e-14,
    );
    assert_eq!(nemenyi_q(1, 0.05), None);
    assert_eq!(nemenyi_q(11, 0.05), None);
    assert_eq!(nemenyi_q(4, 0.01), None);
    assert_eq!(nemenyi_cd(4, 0, 0.05), None);
}

// ---- incomplete gamma, chi-square, normal ------------------------------------------------------

#[test]
fn incomplete_gamma_matches_scipy_special() {
    // (a, x, special.gammainc(a, x), special.gammaincc(a, x))
    let cases = [
        (0.5, 0.1, 0.34527915398142317, 0.6547208460185768),
        (1.0, 1.0, 0.6321205588285577, 0.36787944117144245),
        (2.5, 3.0, 0.6937810815867212, 0.30621891841327875),
        (10.0, 5.0, 0.03182805730620481, 0.9681719426937951),
        (10.0, 20.0, 0.9950045876916924, 0.0049954123083075785),
        (100.0, 90.0, 0.15822098918643007, 0.84177901081357),
        (0.5, 30.0, 0.9999999999999906, 9.485737571073857e-15),
        (3.0, 0.0, 0.0, 1.0),
        (0.5, 0.0, 0.0, 1.0),
        // Just past a: the series (not the continued fraction, slow this close to 0) applies.
        (0.001, 0.0015, 0.9940901378321979, 0.005909862167801839),
    ];
    for (a, x, p, q) in cases {
        close(reg_inc_gamma(a, x), p, 1e-12);
        close(reg_inc_gamma_upper(a, x), q, 1e-11);
    }
    for (a, x) in [
        (0.0, 1.0),
        (-1.0, 1.0),
        (1.0, -0.5),
        (f64::NAN, 1.0),
        (1.0, f64::NAN),
    ] {
        assert!(reg_inc_gamma(a, x).is_nan() && reg_inc_gamma_upper(a, x).is_nan());
    }
}

#[test]
fn chi_square_and_normal_tails_match_scipy() {
    // stats.chi2.sf(7.8147, 3), (50, 4), (1.0, 1)
    close(chi2_sf(7.8147, 3.0), 0.050000625284760056, 1e-10);
    close(chi2_sf(50.0, 4.0), 3.610865404890647e-10, 1e-10);
    close(chi2_sf(1.0, 1.0), 0.31731050786291115, 1e-12);
    assert_eq!((chi2_sf(0.0, 3.0), chi2_sf(-1.0, 3.0)), (1.0, 1.0));
    // stats.norm.sf(5), (-1.3), (0.3), (10); stats.norm.cdf(1.959963984540054)
    close(normal_sf(5.0), 2.866515718791933e-07, 1e-11);
    close(normal_sf(-1.3), 0.9031995154143897, 1e-13);
    close(normal_sf(0.3), 0.3820885778110474, 1e-13);
    close(normal_sf(10.0), 7.61985302416047e-24, 1e-10);
    close(normal_cdf(1.959963984540054), 0.975, 1e-14);
}

// ---- one-way random-effects ANOVA (split vs seed) ----------------------------------------------

/// Three splits x three seeds: final validation losses shaped like digits' (the split moves them
/// far more than the seed).
const BALANCED: [[f64; 3]; 3] = [
    [0.061, 0.064, 0.059],
    [0.102, 0.097, 0.105],
    [0.078, 0.083, 0.080],
];

#[test]
fn f_distribution_tail_matches_scipy() {
    // stats.f.sf(2.5, 3, 7), stats.f.sf(0.3, 2, 10), stats.f.sf(40.0, 1, 4)
    close(f_sf(2.5, 3.0, 7.0), 0.14350945627893932, 1e-10);
    close(f_sf(0.3, 2.0, 10.0), 0.7472581728660572, 1e-10);
    close(f_sf(40.0, 1.0, 4.0), 0.0031982021523353056, 1e-10);
    assert_eq!(f_sf(0.0, 2.0, 5.0), 1.0);
}

#[test]
fn balanced_one_way_matches_scipy_and_statsmodels_reml() {
    // F, p: stats.f_oneway(*BALANCED); MS by numpy; with a positive estimate and equal group
    // sizes the ANOVA components equal REML's: smf.mixedlm("y~1", df, groups=df["g"])
    // .fit(reml=True) gives cov_re 0.00039710886047808757, scale 9.666684733333326e-06
    // (to its optimizer's tolerance).
    let a = one_way_random(&BALANCED).expect("fits");
    assert_eq!((a.groups, a.n, a.df_between, a.df_within), (3, 9, 2.0, 6.0));
    close(a.n0, 3.0, 1e-14);
    close(a.ms_between, 0.001201, 1e-10);
    close(a.ms_within, 9.666666666666662e-06, 1e-10);
    close(a.f, 124.24137931034505, 1e-10);
    close(a.p, 1.3106256384792612e-05, 1e-8);
    close(a.var_between, 0.00039710886047808757, 1e-4);
    close(a.var_within, 9.666684733333326e-06, 1e-4);
    close(a.var_between, 0.0003971111111111111, 1e-10);
    assert!(!a.truncated);
    let share = a.share_between().expect("varies");
    close(
        share,
        0.0003971111111111111 / (0.0003971111111111111 + 9.666666666666662e-06),
        1e-12,
    );
    close(a.share_within().expect("varies"), 1.0 - share, 1e-12);
}

#[test]
fn unbalanced_one_way_uses_the_effective_group_size() {
    // Groups of 4, 2 and 3. F, p: stats.f_oneway; n0 = (N - sum n_i^2 / N) / (a - 1) and
    // (MSB - MSW) / n0 computed in numpy (Searle, Casella & McCulloch 1992, §3.6).
    let groups: [&[f64]; 3] = [
        &[0.061, 0.064, 0.059, 0.066],
        &[0.102, 0.097],
        &[0.078, 0.083, 0.080],
    ];
    let a = one_way_random(&groups).expect("fits");
    close(a.n0, 2.888888888888889, 1e-14);
    close(a.ms_between, 0.0009429166666666668, 1e-10);
    close(a.ms_within, 9.027777777777782e-06, 1e-10);
    close(a.f, 104.44615384615363, 1e-10);
    close(a.p, 2.17666273448473e-05, 1e-8);
    close(a.var_between, 0.0003232692307692308, 1e-10);
}

#[test]
fn negative_split_component_is_truncated_at_zero_and_flagged() {
    // Groups that differ less than their members: numpy gives MSB 3.3333e-05 < MSW 0.0035222,
    // (MSB - MSW) / 3 = -0.0011629629629629633; stats.f_oneway p = 0.990595673186839.
    let g = [[0.50, 0.58, 0.42], [0.49, 0.55, 0.47], [0.52, 0.44, 0.53]];
    let a = one_way_random(&g).expect("fits");
    assert!(a.truncated);
    assert_eq!(a.var_between, 0.0);
    close(a.var_within, 0.003522222222222223, 1e-10);
    close(a.f, 0.009463722397476304, 1e-9);
    close(a.p, 0.990595673186839, 1e-10);
    assert_eq!(a.share_between(), Some(0.0));
}

#[test]
fn one_way_edge_cases() {
    // Only the groups vary: every bit of the spread is theirs, and F is infinite.
    let a = one_way_random(&[[1.0, 1.0], [2.0, 2.0]]).expect("fits");
    assert_eq!((a.f, a.p, a.var_within), (f64::INFINITY, 0.0, 0.0));
    close(a.var_between, 0.5, 1e-14);
    assert_eq!(a.share_between(), Some(1.0));
    // Shifting every value changes nothing.
    let shifted: Vec<Vec<f64>> = BALANCED
        .iter()
        .map(|g| g.iter().map(|v| v + 100.0).collect())
        .collect();
    let (b, s) = (
        one_way_random(&BALANCED).expect("fits"),
        one_way_random(&shifted).expect("fits"),
    );
    close(s.var_between, b.var_between, 1e-6);
    close(s.var_within, b.var_within, 1e-6);
    let empty: [&[f64]; 2] = [&[1.0, 2.0], &[]];
    let none: [&[f64]; 0] = [];
    assert!(one_way_random(&[[1.0, 2.0, 3.0]]).is_none(), "one group");
    assert!(one_way_random(&empty).is_none(), "an empty group");
    assert!(
        one_way_random(&[[1.0], [2.0]]).is_none(),
        "no within-group df"
    );
    assert!(
        one_way_random(&[[1.0, f64::NAN], [2.0, 3.0]]).is_none(),
        "NaN"
    );
    assert!(
        one_way_random(&[[1.0, 1.0], [1.0, 1.0]]).is_none(),
        "no variation"
    );
    assert!(one_way_random(&none).is_none(), "nothing");
}

/// The bars of a CD diagram, worked by hand: maximal runs within `cd`, a difference of exactly
/// `cd` inside, runs that overlap both kept, and a run inside an earlier one left out.
#[test]
fn cd_groups_are_the_maximal_runs_within_the_critical_difference() {
    assert_eq!(
        cd_groups(&[1.0, 1.5, 2.0, 3.5, 4.0], 1.0),
        vec![(0, 2), (3, 4)]
    );
    assert_eq!(cd_groups(&[1.0, 2.0], 1.0), vec![(0, 1)]);
    assert_eq!(cd_groups(&[1.0, 2.0], 0.999), vec![]);
    assert_eq!(cd_groups(&[1.0, 1.8, 2.6], 1.0), vec![(0, 1), (1, 2)]);
    assert_eq!(cd_groups(&[2.0, 2.5, 3.0, 3.2], 1.0), vec![(0, 2), (1, 3)]);
    assert_eq!(cd_groups(&[], 1.0), vec![]);
    assert_eq!(cd_groups(&[3.0], 1.0), vec![]);
}
