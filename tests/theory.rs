//! Mean-field theory against the papers' numbers, its quadrature against closed forms, and its
//! predictions against networks actually drawn by `init_arm`.

mod common;

use initlab::activation::Activation;
use initlab::init::{ArmWeights, BiasInit, InitSettings, Initializer, init_arm, sample};
use initlab::model::ModelSpec;
use initlab::rng::derive_rng;
use initlab::theory::gauss_legendre::{expect_pair_split, expect_split};
use initlab::theory::linalg::{gram_eigenvalues, symmetric_eigenvalues};
use initlab::theory::moments::Moments;
use initlab::theory::nonlinearity::{dphi, erf, phi};
use initlab::theory::{
    GaussHermite, JacobianSpectrum, MeanField, Phase, PhasePoint, arc_cosine, chi_1, chi_1_grid,
    coordinates, critical_line, critical_sigma_w2, jacobian_spectrum, measure, phase_grid,
    predict_gradients, predict_lengths, sigma_w2,
};
use rand_distr::{Distribution, StandardNormal};

const TANH: Activation = Activation::Tanh;
const RELU: Activation = Activation::Relu;

fn point(a: Activation, w: f64, b: f64) -> PhasePoint {
    MeanField::new(a, w, b)
        .expect("valid variances")
        .phase_point()
}

fn gaussian(n: usize, std: f64, seed: u64) -> Vec<f32> {
    let mut rng = derive_rng(seed, &[7]);
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            (z * std) as f32
        })
        .collect()
}

fn mean_square(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / v.len() as f64
}

fn arm(init: &str, dims: &[usize], act: Activation, seed: u64) -> ArmWeights {
    let init: Initializer = init.parse().expect("initializer");
    init_arm(&init, dims, InitSettings::new(act), seed, 0, None)
}

/// E[f(z)] by the trapezoid rule with step 5e-4 on [-12, 12]: for analytic integrands its error
/// is far below 1e-14, an independent reference for both quadratures.
fn trapezoid(f: impl Fn(f64) -> f64) -> f64 {
    let h = 5e-4;
    let n = (12.0 / h) as i64;
    let sum: f64 = (-n..=n)
        .map(|i| {
            let z = i as f64 * h;
            f(z) * (-0.5 * z * z).exp()
        })
        .sum();
    sum * h / (2.0 * std::f64::consts::PI).sqrt()
}

#[test]
fn gauss_hermite_is_exact_for_polynomials_and_smooth_functions() {
    let gh = GaussHermite::standard();
    assert!((gh.weights().iter().sum::<f64>() - 1.0).abs() < 1e-14);
    for (k, moment) in [(2, 1.0), (4, 3.0), (10, 945.0), (20, 654_729_075.0)] {
        let got = gh.expect(|z| z.powi(k));
        assert!((got / moment - 1.0).abs() < 1e-12, "E[z^{k}] = {got}");
    }
    assert!((gh.expect(f64::cos) - (-0.5f64).exp()).abs() < 1e-14);
    // Smooth and slowly varying: 1e-12 at q = 0.5 (the module note gives the rate for larger q).
    let f = |z: f64| (0.5f64.sqrt() * z).tanh().powi(2);
    assert!((gh.expect(f) - trapezoid(f)).abs() < 1e-12);
    // The 2-D rule: E[z1 z2] = c, E[z1^2 z2^2] = 1 + 2 c^2.
    let c = 0.3;
    assert!((gh.expect_pair(c, |z| z, |z| z) - c).abs() < 1e-13);
    assert!((gh.expect_pair(c, |z| z * z, |z| z * z) - (1.0 + 2.0 * c * c)).abs() < 1e-12);
}

#[test]
fn quadrature_of_relu_kinks_against_the_arc_cosine_closed_forms() {
    let gh = GaussHermite::standard();
    let relu = |x: f64| x.max(0.0);
    let step = |x: f64| f64::from(u8::from(x > 0.0));
    for c in [-0.5, 0.0, 0.5, 0.9, 0.99] {
        // Gauss–Hermite across a kink: measured errors up to 1.3e-3 (k1) and 9.6e-3 (k0) with 100
        // nodes, which is why production uses the closed forms or the split rule.
        assert!((gh.expect_pair(c, relu, relu) - arc_cosine::k1(c)).abs() < 2e-3);
        assert!((gh.expect_pair(c, step, step) - arc_cosine::k0(c)).abs() < 1.5e-2);
        // Split at the kink (polar coordinates): exact to rounding.
        assert!((expect_pair_split(c, relu, relu) - arc_cosine::k1(c)).abs() < 1e-12);
        assert!((expect_pair_split(c, step, step) - arc_cosine::k0(c)).abs() < 1e-12);
    }
    assert!((expect_split(|z| z.abs()) - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-13);
    // Leaky ReLU's closed form at c = 1 is (1 + a^2) / 2, its kernel slope likewise.
    let a = 0.2;
    assert!((arc_cosine::kappa(a, 1.0) - arc_cosine::gain(a)).abs() < 1e-15);
    assert!((arc_cosine::kappa_prime(a, 1.0) - arc_cosine::gain(a)).abs() < 1e-15);
}

/// The split pair rule with two different functions, against Isserlis' theorem and Stein's
/// lemma for standard normals correlated by c: E[z1^3 z2] = 3 c, E[z1 relu(z2)] = c E[relu'(z2)]
/// = c / 2, E[relu(z1) z2^2] = E[relu(z1)] (1 - c^2) + c^2 E[relu(z1) z1^2] = (1 + c^2) /
/// sqrt(2 pi).
#[test]
fn split_pair_rule_with_two_different_functions() {
    let relu = |x: f64| x.max(0.0);
    let root_2pi = (2.0 * std::f64::consts::PI).sqrt();
    for c in [-0.7, -0.2, 0.0, 0.4, 0.95] {
        let cube = expect_pair_split(c, |z| z.powi(3), |z| z);
        assert!((cube - 3.0 * c).abs() < 1e-12, "c = {c}: {cube}");
        let half = expect_pair_split(c, |z| z, relu);
        assert!((half - c / 2.0).abs() < 1e-12, "c = {c}: {half}");
        let mixed = expect_pair_split(c, relu, |z| z * z);
        assert!(
            (mixed - (1.0 + c * c) / root_2pi).abs() < 1e-12,
            "c = {c}: {mixed}"
        );
    }
}

#[test]
fn split_rule_matches_an_independent_integration_for_large_lengths() {
    for q in [1.0, 4.0, 10.0, 30.0] {
        let s = f64::sqrt(q);
        let f = |z: f64| (s * z).tanh().powi(2);
        let d = |z: f64| (1.0 - (s * z).tanh().powi(2)).powi(2);
        assert!((expect_split(f) - trapezoid(f)).abs() < 1e-11, "q = {q}");
        assert!((expect_split(d) - trapezoid(d)).abs() < 1e-11, "q = {q}");
    }
    for (x, want) in [
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (2.0, 0.995_322_265_018_952_7),
        (3.0, 0.999_977_909_503_001_4),
    ] {
        assert!((erf(x) - want).abs() < 1e-15 && (erf(-x) + want).abs() < 1e-15);
    }
}

#[test]
fn tanh_critical_line_matches_schoenholz_et_al() {
    let want = [
        (0.0, 1.00),
        (0.01, 1.42),
        (0.05, 1.76),
        (0.1, 1.99),
        (0.3, 2.51),
    ];
    let b: Vec<f64> = want.iter().map(|w| w.0).collect();
    for ((sb2, expected), (_, got)) in want.iter().zip(critical_line(TANH, &b)) {
        let got = got.expect("tanh has a critical point");
        // Computed: 1.0000, 1.4242, 1.7610, 1.9861, 2.5051.
        assert!((got - expected).abs() < 0.01, "sigma_b2 = {sb2}: {got}");
        assert!((point(TANH, got, *sb2).chi_1 - 1.0).abs() < 1e-6);
    }
}

/// Just across tanh's critical line at sigma_b2 = 0.05 (SciPy: sigma_w2 = 1.760 954 64). At
/// sigma_w2 = 1.760958, chi_1 - 1 = 7.16e-7 is within CRITICAL_TOLERANCE: the point is critical,
/// with c* = 1 and an infinite xi_c, although c = 1 (barely) repels. At 1.7627, chi_1 - 1 =
/// 3.72e-4 and the stable correlation lies within 0.01 of 1. SciPy: q* and chi_1 by `quad`
/// and `brentq`, c* by `brentq` on the correlation map as a nested `quad`.
#[test]
fn tanh_just_across_the_critical_line() {
    let p = point(TANH, 1.760_958, 0.05);
    assert!(
        (p.q_star - 0.570_049_941_352_913_9).abs() < 1e-12,
        "{}",
        p.q_star
    );
    assert!(
        (p.chi_1 - 1.0 - 7.163_809_787_602_56e-7).abs() < 1e-12,
        "{}",
        p.chi_1
    );
    assert_eq!(
        (p.phase, p.c_star, p.chi_c),
        (Phase::Critical, 1.0, p.chi_1)
    );
    assert!(p.xi_c.is_infinite());
    let p = point(TANH, 1.7627, 0.05);
    assert!(
        (p.chi_1 - 1.0 - 3.718_759_118_498_394e-4).abs() < 1e-12,
        "{}",
        p.chi_1
    );
    assert_eq!(p.phase, Phase::Chaotic);
    assert!(
        (p.c_star - 0.997_707_470_385_596_8).abs() < 1e-9,
        "{}",
        p.c_star
    );
}

#[test]
fn tanh_depth_scales_and_correlation_fixed_points() {
    // sigma_b2 = 0.05; computed xi_c: 3.627, 15.79, 11.80, 6.980.
    for (w, xi) in [(1.0, 3.6), (1.5, 15.8), (2.5, 11.8), (4.0, 7.0)] {
        let p = point(TANH, w, 0.05);
        assert!(
            (p.xi_c / xi - 1.0).abs() < 0.03,
            "sigma_w2 = {w}: xi_c = {}",
            p.xi_c
        );
        assert_eq!(p.max_depth, 6.0 * p.xi_c);
    }
    for w in [0.5, 1.0, 1.5] {
        let p = point(TANH, w, 0.05);
        assert_eq!((p.c_star, p.phase), (1.0, Phase::Ordered));
        assert_eq!(p.chi_c, p.chi_1);
    }
    let p = point(TANH, 2.5, 0.05);
    assert_eq!(p.phase, Phase::Chaotic);
    assert!((p.c_star - 0.45).abs() < 0.01, "c* = {}", p.c_star); // 0.4468
    assert!(p.xi_grad < 0.0, "gradients explode in the chaotic phase");
    // c* is a fixed point of the correlation map, and stable: chi_c < 1.
    let m = MeanField::new(TANH, 2.5, 0.05).expect("valid");
    assert!((m.correlation_map(p.q_star, p.c_star) - p.c_star).abs() < 1e-10);
    assert!(p.chi_c < 1.0);
    // q* is a fixed point of the length map.
    assert!((m.length_map(p.q_star) - p.q_star).abs() < 1e-12);
}

#[test]
fn relu_is_critical_only_at_2_0() {
    assert_eq!(critical_sigma_w2(RELU, 0.0), Some(2.0));
    for b in [0.01, 0.05, 1.0] {
        assert_eq!(critical_sigma_w2(RELU, b), None);
    }
    // At (2, 0) every length is a fixed point: q* is where the network starts, chi_1 = 1.
    let p = point(RELU, 2.0, 0.0);
    assert_eq!((p.q_star, p.chi_1, p.phase), (1.0, 1.0, Phase::Critical));
    assert!(p.xi_c.is_infinite() && p.max_depth.is_infinite());
    assert_eq!(point(RELU, 2.0, 0.05).phase, Phase::Unbounded);
    assert_eq!(point(RELU, 3.0, 0.0).phase, Phase::Unbounded);
    let p = point(RELU, 1.0, 0.05);
    assert_eq!((p.phase, p.c_star, p.chi_1), (Phase::Ordered, 1.0, 0.5));
    assert!((p.q_star - 0.1).abs() < 1e-15);
    let grid = chi_1_grid(RELU, &[1.0, 2.0, 4.0], &[0.0, 0.1]);
    assert_eq!(grid, vec![vec![0.5, 1.0, 2.0]; 2]);
}

/// SELU (kinks at 0, so the split rule): at sigma_w2 = 1 its self-normalising fixed point
/// q* = 1 (Klambauer et al. 2017), with chi_1 = l^2/2 + (l a)^2 e^2 Phi(-2) in closed form; with
/// sigma_b2 = 0 the signal collapses to 0 until sigma_w2 (l^2 + (l a)^2) / 2 = 1.
#[test]
fn selu_fixed_point_and_critical_point_in_closed_form() {
    let (l, a) = (1.050_700_987_355_480_5f64, 1.673_263_242_354_377_3f64);
    let p = point(Activation::Selu, 1.0, 0.0);
    assert!((p.q_star - 1.0).abs() < 1e-9, "q* = {}", p.q_star);
    let phi_minus_2 = 0.5 * (1.0 - erf(std::f64::consts::SQRT_2));
    let chi = l * l / 2.0 + (l * a).powi(2) * 2f64.exp() * phi_minus_2;
    assert!((p.chi_1 - chi).abs() < 1e-10, "{} vs {chi}", p.chi_1);
    let critical = critical_sigma_w2(Activation::Selu, 0.0).expect("exists");
    assert!(
        (critical - 2.0 / (l * l + (l * a).powi(2))).abs() < 1e-6,
        "{critical}"
    );
}

#[test]
fn pytorch_default_on_tanh_has_chi_1_one_third() {
    let init: Initializer = "pytorch-default".parse().expect("name");
    let s = sigma_w2(&init, 300, 200, TANH).expect("known");
    assert!((s - 1.0 / 3.0).abs() < 1e-15);
    let p = point(TANH, s, 0.0);
    assert!((p.chi_1 - 1.0 / 3.0).abs() < 1e-12, "chi_1 = {}", p.chi_1);
    assert_eq!((p.q_star, p.phase), (0.0, Phase::Ordered));
}

#[test]
fn phase_points_survive_json_with_infinities() {
    let p = point(RELU, 2.0, 0.0);
    let text = serde_json::to_string(&p).expect("serialises");
    assert!(text.contains("\"xi_c\":null"), "{text}");
    let back: PhasePoint = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back, p);
    assert!(MeanField::new(TANH, -1.0, 0.0).is_err());
    assert!(MeanField::new(TANH, 1.0, f64::NAN).is_err());
}

#[test]
fn coordinates_follow_each_schemes_variance() {
    // 800,000 draws (sparse: 30,000 non-zero), so 3% is many standard errors wide.
    let (fi, fo) = (400usize, 2000usize);
    let var = |init: &str| {
        let i: Initializer = init.parse().expect("name");
        let w = sample(&i, fi, fo, TANH, &mut derive_rng(1, &[2]));
        fi as f64 * mean_square(&w)
    };
    for init in [
        "uniform:0.1",
        "normal:0.05",
        "trunc-normal:0.05",
        "xavier-uniform",
        "xavier-normal:gain=auto",
        "kaiming-normal:mode=fan-out",
        "lecun-uniform",
        "orthogonal",
        "sparse:15",
        "pytorch-default",
    ] {
        let i: Initializer = init.parse().expect("name");
        let theory = sigma_w2(&i, fi, fo, TANH).expect("known");
        let drawn = var(init);
        assert!(
            (drawn / theory - 1.0).abs() < 0.03,
            "{init}: {drawn} vs {theory}"
        );
    }
    let orth: Initializer = "orthogonal".parse().expect("name");
    assert_eq!(sigma_w2(&orth, 100, 400, TANH), Some(0.25));
    assert_eq!(sigma_w2(&orth, 400, 100, TANH), Some(1.0));
    assert_eq!(sigma_w2(&Initializer::Lsuv, 10, 10, TANH), None);
    // Xavier is 1 only where fan_in = fan_out.
    let model = ModelSpec {
        hidden: vec![64, 64],
        activation: TANH,
        bias: BiasInit::ZEROS,
        gain: 1.0,
    };
    let x = coordinates(
        &"xavier-normal".parse().expect("name"),
        &model,
        (16, 4),
        1.0,
    );
    let s: Vec<f64> = x
        .layers
        .iter()
        .map(|l| l.sigma_w2.expect("known"))
        .collect();
    assert_eq!(s, vec![2.0 * 16.0 / 80.0, 1.0, 2.0 * 64.0 / 68.0]);
    assert!(x.caveats.is_empty() && x.lengths.is_some());
    let z = coordinates(&Initializer::Zeros, &model, (16, 4), 1.0);
    assert!(z.caveats[0].starts_with("degenerate"));
    assert_eq!(z.lengths, Some(vec![0.0; 3]));
    let l = coordinates(&Initializer::Lsuv, &model, (16, 4), 1.0);
    assert!(l.lengths.is_none() && l.layers[0].point.is_none());
}

/// tanh, width 1000, depth 20, kaiming-normal with gain sqrt(1.5): sigma_w2 = 1.5, sigma_b2 = 0
/// (chaotic: q* = 0.287, c* = 0), 16 inputs of N(0, 1) features (q^0 = 1). Sampling error per
/// layer is about sqrt(2 / (1000 * 16)) ~ 1%; the largest measured deviation is 2.8%.
#[test]
fn tanh_network_follows_the_length_map() {
    let (width, depth, rows) = (1000, 20, 16);
    let a = arm(
        "kaiming-normal:gain=1.2247449",
        &vec![width; depth + 1],
        TANH,
        3,
    );
    let batch = gaussian(rows * width, 1.0, 11);
    let measured = measure(&a, TANH, &batch, 5).expect("shapes agree");
    let sigmas = vec![1.2247449f64.powi(2); depth];
    let q = predict_lengths(TANH, &sigmas, 0.0, mean_square(&batch));
    let grads = predict_gradients(TANH, &sigmas, &q);
    let top = measured[depth - 1].grad_sq;
    for (l, m) in measured.iter().enumerate() {
        assert!(
            (m.q / q[l] - 1.0).abs() < 0.05,
            "layer {l}: {} vs {}",
            m.q,
            q[l]
        );
        // Backward noise compounds over the layers above: largest deviation 10%.
        let g = m.grad_sq / top;
        assert!(
            (g / grads[l] - 1.0).abs() < 0.15,
            "layer {l}: {g} vs {}",
            grads[l]
        );
        assert!((m.unit_mean_sq + m.unit_var - m.q).abs() < 1e-12 * m.q);
        assert!(m.correlation.abs() < 0.05, "c* = 0 in this phase");
    }
}

/// The same with biases ~ N(0, 0.05) and sigma_w2 = 2.5 (q* = 1.064, c* = 0.447): over the
/// last ten layers, where the prediction has settled at q*, the mean length and correlation.
#[test]
fn tanh_network_with_random_biases_settles_at_q_star_and_c_star() {
    let (width, depth, rows) = (1000, 20, 16);
    let mut a = arm(
        "kaiming-normal:gain=1.5811388",
        &vec![width; depth + 1],
        TANH,
        3,
    );
    for (l, b) in a.biases.iter_mut().enumerate() {
        *b = gaussian(width, 0.05f64.sqrt(), 300 + l as u64);
    }
    let measured = measure(&a, TANH, &gaussian(rows * width, 1.0, 11), 5).expect("shapes");
    let p = point(TANH, 1.5811388f64.powi(2), 0.05);
    let tail = &measured[depth - 10..];
    let q = tail.iter().map(|m| m.q).sum::<f64>() / 10.0;
    let c = tail.iter().map(|m| m.correlation).sum::<f64>() / 10.0;
    assert!((q / p.q_star - 1.0).abs() < 0.03, "{q} vs {}", p.q_star);
    // c^l approaches c* from c^0 ~ 0 at rate chi_c = 0.92 per layer, so it is still rising.
    assert!(c > 0.25 && c < p.c_star, "{c} vs {}", p.c_star);
}

/// ReLU, width 1000, 10 layers: kaiming-normal (sigma_w2 = 2) keeps q flat, xavier-normal
/// (square layers: sigma_w2 = 1) halves it per layer. Inputs become correlated in ReLU nets, so
/// averaging rows does not beat the ~4.5% per-layer noise: single ratios get 12%, the geometric
/// mean over nine layers 3%.
#[test]
fn relu_lengths_flat_under_kaiming_halving_under_xavier() {
    let batch = gaussian(16 * 1000, 1.0, 12);
    for (init, ratio) in [("kaiming-normal", 1.0), ("xavier-normal", 0.5)] {
        let m = measure(&arm(init, &[1000; 11], RELU, 1), RELU, &batch, 5).expect("shapes");
        for w in m.windows(2) {
            assert!((w[1].q / w[0].q / ratio - 1.0).abs() < 0.12, "{init}");
        }
        let mean = (m[9].q / m[0].q).powf(1.0 / 9.0);
        assert!((mean / ratio - 1.0).abs() < 0.03, "{init}: {mean}");
    }
}

/// ReLU at criticality, width 256, 8 hidden layers plus the linear readout (9 weight matrices),
/// 4 seeds with one N(0, 1) input each, singular values pooled. Free probability (Pennington et
/// al. 2017) adds 1 to var(s^2)/mean(s^2)^2 per Gaussian matrix and per ReLU mask: 9 + 8 = 17
/// with Gaussian weights (the 2L = 16 counts no readout), 8 with orthogonal ones.
/// Measured: 17.97 and 8.63 (finite-width corrections are positive); 17.97 is also within 15%
/// of the 16.
#[test]
fn jacobian_spectrum_of_critical_relu_nets() {
    let dims = [256; 10];
    for (init, want) in [("kaiming-normal", 17.0), ("orthogonal:gain=auto", 8.0)] {
        let spectra: Vec<JacobianSpectrum> = (0..4)
            .map(|seed| {
                let x = gaussian(256, 1.0, 100 + seed);
                jacobian_spectrum(&arm(init, &dims, RELU, seed), RELU, &x).expect("shapes")
            })
            .collect();
        let pooled = JacobianSpectrum::pooled(&spectra);
        let v = pooled.normalized_var();
        assert!((v / want - 1.0).abs() < 0.15, "{init}: {v}");
        // The readout has sigma_w2 = 2 and no ReLU after it: mean s^2 = 2.
        assert!(
            (pooled.mean_sq / 2.0 - 1.0).abs() < 0.2,
            "{init}: {}",
            pooled.mean_sq
        );
    }
}

#[test]
fn deep_linear_orthogonal_network_is_an_exact_isometry() {
    let a = arm("orthogonal", &[128; 13], Activation::Identity, 4);
    let s = jacobian_spectrum(&a, Activation::Identity, &gaussian(128, 1.0, 1)).expect("shapes");
    assert_eq!(s.singular_values.len(), 128);
    assert!(s.singular_values.iter().all(|v| (v - 1.0).abs() < 1e-4));
}

#[test]
fn jacobi_eigenvalues_agree_one_and_two_sided() {
    let (m, n) = (12, 20);
    let a: Vec<f64> = gaussian(m * n, 1.0, 9).into_iter().map(f64::from).collect();
    let mut g = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            g[i * m + j] = (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum();
        }
    }
    let one = gram_eigenvalues(&a, m, n);
    let two = symmetric_eigenvalues(&g, m);
    let trace: f64 = (0..m).map(|i| g[i * m + i]).sum();
    assert!((one.iter().sum::<f64>() - trace).abs() < 1e-10 * trace);
    for (x, y) in one.iter().zip(&two) {
        assert!((x - y).abs() < 1e-10 * trace, "{x} vs {y}");
    }
    let e = symmetric_eigenvalues(&[2.0, 1.0, 1.0, 2.0], 2);
    assert!(
        (e[0] - 3.0).abs() < 1e-14 && (e[1] - 1.0).abs() < 1e-14,
        "{e:?}"
    );
}

use common::initlab;

#[test]
fn cli_prints_a_point_as_json_and_refuses_bad_values() {
    let o = initlab(&[
        "theory",
        "--activation",
        "tanh",
        "--sigma-w2",
        "1.5",
        "--sigma-b2",
        "0.05",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let p = &v["points"][0];
    for key in ["q_star", "chi_1", "c_star", "xi_c", "max_depth"] {
        assert!(p[key].is_number(), "{key} in {p}");
    }
    assert!((p["xi_c"].as_f64().expect("number") - 15.8).abs() < 0.1);
    for bad in [
        vec!["theory", "--sigma-w2", "-1"],
        vec!["theory", "--sigma-w2", "1", "--sigma-b2", "-0.1"],
        vec!["theory", "--activation", "swish", "--sigma-w2", "1"],
    ] {
        let o = initlab(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.starts_with("error: ") && err.trim_end().lines().count() == 1,
            "{err}"
        );
    }
}

#[test]
fn cli_reports_each_initializer_of_a_model() {
    let o = initlab(&[
        "theory",
        "--inputs",
        "20",
        "--hidden",
        "32,32",
        "--activation",
        "relu",
        "--init",
        "kaiming-normal,lsuv",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let layers = &v["initializers"][0]["layers"];
    assert_eq!(layers.as_array().map(Vec::len), Some(3));
    // Kaiming's gain is sqrt 2 rounded to f32: chi_1 = 1 - 3.4e-8, critical within tolerance.
    let chi = layers[1]["point"]["chi_1"].as_f64().expect("number");
    assert!((chi - 1.0).abs() < 1e-6, "{chi}");
    assert_eq!(layers[1]["point"]["phase"], "critical");
    assert!(v["initializers"][1]["layers"][0]["sigma_w2"].is_null());
}

/// The weight-gradient norm measured at initialization equals the one computed by hand for a
/// one-layer linear network: ||(1/rows) X^T D||^2 with D the output gradient.
#[test]
fn weight_gradient_norm_matches_a_hand_computation() {
    use initlab::init::ArmWeights;
    use initlab::theory::measure;
    // One layer, 2 inputs -> 1 output (identity), rows x = (1, 2) and (3, 4).
    let arm = ArmWeights {
        weights: vec![vec![0.5, -0.25]],
        biases: vec![vec![0.0]],
        lsuv: None,
    };
    let batch = [1.0f32, 2.0, 3.0, 4.0];
    let m = measure(&arm, initlab::activation::Activation::Identity, &batch, 7).expect("measures");
    // grad_sq is the mean of d^2 over the two rows; recover |d1|, |d2| is not possible, but
    // with one output ||G||^2 = ((x1 d1 + x3 d2)^2 + (x2 d1 + x4 d2)^2) / 4 lies between 0 and
    // (|x|^2 max)(d1^2 + d2^2) / 4 = 25 * 2 grad_sq / 4 by Cauchy-Schwarz; and for a batch of one
    // row it is exact: ||x||^2 d^2.
    let bound = 25.0 * 2.0 * m[0].grad_sq / 4.0;
    assert!(m[0].weight_grad_sq > 0.0 && m[0].weight_grad_sq <= bound + 1e-12);
    let one = measure(
        &arm,
        initlab::activation::Activation::Identity,
        &batch[..2],
        7,
    )
    .expect("one");
    assert!((one[0].weight_grad_sq - 5.0 * one[0].grad_sq).abs() < 1e-12 * (1.0 + one[0].grad_sq));
}

/// The length map iterated from q^0 = 1 for tanh at (2.5, 0.05), against SciPy (`quad` on each
/// E[tanh(u)^2], split at 0): q^1, q^2, q^3 = 1.0357362, 1.0517099, 1.0586811.
#[test]
fn length_trajectory_iterates_the_length_map() {
    let m = MeanField::new(TANH, 2.5, 0.05).expect("valid");
    let t = m.length_trajectory(1.0, 3);
    let want = [
        1.0,
        1.035_736_225_994_603,
        1.051_709_887_689_852_3,
        1.058_681_144_682_625_2,
    ];
    assert_eq!(t.len(), want.len());
    for (got, want) in t.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    assert_eq!(m.length_trajectory(0.5, 0), vec![0.5]);
}

/// ||dL/dh||^2 relative to the top is chi_1^l once the length sits at q*.
#[test]
fn gradient_ratios_are_powers_of_chi_1() {
    let relu = MeanField::new(RELU, 1.0, 0.05).expect("valid");
    assert_eq!(relu.gradient_ratios(3), vec![1.0, 0.5, 0.25, 0.125]);
    // SciPy: chi_1 = 1.1335157 at q* = 1.0639584.
    let chi: f64 = 1.133_515_698_704_271_6;
    let g = MeanField::new(TANH, 2.5, 0.05)
        .expect("valid")
        .gradient_ratios(2);
    assert_eq!(g.len(), 3);
    for (l, got) in g.iter().enumerate() {
        let want = chi.powi(l as i32);
        assert!(
            (got / want - 1.0).abs() < 1e-9,
            "layer {l}: {got} vs {want}"
        );
    }
}

/// ReLU above the critical line has two fixed points with sigma_b2 = 0: 0 (unstable) and
/// infinity; a signal that starts at 0 stays there, any other grows without bound, and so does
/// one at 0 once there is a bias.
#[test]
fn supercritical_relu_stays_at_zero_only_from_zero_without_bias() {
    let m = MeanField::new(RELU, 3.0, 0.0).expect("valid");
    assert_eq!(m.q_star_from(0.0), 0.0);
    assert_eq!(m.q_star_from(1e-3), f64::INFINITY);
    let biased = MeanField::new(RELU, 3.0, 0.1).expect("valid");
    assert_eq!(biased.q_star_from(0.0), f64::INFINITY);
    // Below the line: q* = sigma_b2 / (1 - chi_1) from anywhere.
    let sub = MeanField::new(Activation::LeakyRelu, 1.0, 0.1).expect("valid");
    let chi = (1.0 + f64::from(0.01f32).powi(2)) / 2.0;
    for q0 in [0.0, 1.0, 50.0] {
        assert!((sub.q_star_from(q0) - 0.1 / (1.0 - chi)).abs() < 1e-14);
    }
}

/// Phase points of the other smooth and kinked activations against SciPy: the length map
/// iterated then solved by `brentq`, chi_1 by `quad`, c* by `brentq` on the correlation map
/// (nested `quad`, split where an argument crosses 0), chi_c by `quad` at c*. Columns:
/// (activation, sigma_w2, sigma_b2, q*, chi_1, c*, chi_c).
#[test]
fn phase_points_of_every_nonlinear_activation_match_scipy() {
    let cases = [
        (
            TANH,
            2.5,
            0.05,
            1.063_958_377_416_812,
            1.133_515_698_704_271_6,
            0.446_804_232_344_267_47,
            0.918_716_774_913_773_1,
        ),
        (
            TANH,
            0.8,
            0.2,
            0.386_875_995_742_893_1,
            0.512_027_520_196_388_9,
            1.0,
            0.512_027_520_196_388_9,
        ),
        (
            Activation::Sigmoid,
            40.0,
            0.1,
            16.499_610_295_802_533,
            0.630_813_099_489_161_2,
            1.0,
            0.630_813_099_489_161_2,
        ),
        (
            Activation::Sigmoid,
            20.0,
            0.0,
            7.548_266_158_086_071,
            0.447_972_596_865_304_5,
            1.0,
            0.447_972_596_865_304_5,
        ),
        (
            Activation::Gelu,
            1.0,
            0.1,
            0.143_963_582_755_412_13,
            0.321_055_908_331_580_76,
            1.0,
            0.321_055_908_331_580_76,
        ),
        (
            Activation::Selu,
            1.2,
            0.0,
            2.344_465_338_158_432_4,
            1.105_267_438_225_553_4,
            0.120_648_622_746_837_37,
            0.944_637_781_033_829_8,
        ),
        (
            Activation::Softsign,
            4.0,
            0.1,
            0.724_585_202_787_993,
            1.033_845_884_353_267,
            0.940_642_852_574_961_5,
            0.974_449_361_245_922_2,
        ),
        (
            Activation::Softsign,
            2.0,
            0.05,
            0.198_388_089_795_032_3,
            0.810_329_814_474_804,
            1.0,
            0.810_329_814_474_804,
        ),
    ];
    for (act, w, b, q, chi_1, c, chi_c) in cases {
        let p = point(act, w, b);
        let close = |got: f64, want: f64| (got - want).abs() < 1e-8 * want.abs().max(1.0);
        assert!(
            close(p.q_star, q),
            "{act:?} ({w}, {b}): q* {} vs {q}",
            p.q_star
        );
        assert!(
            close(p.chi_1, chi_1),
            "{act:?} ({w}, {b}): chi_1 {} vs {chi_1}",
            p.chi_1
        );
        assert!(
            close(p.c_star, c),
            "{act:?} ({w}, {b}): c* {} vs {c}",
            p.c_star
        );
        assert!(
            close(p.chi_c, chi_c),
            "{act:?} ({w}, {b}): chi_c {} vs {chi_c}",
            p.chi_c
        );
        let phase = if chi_1 < 1.0 {
            Phase::Ordered
        } else {
            Phase::Chaotic
        };
        assert_eq!(p.phase, phase, "{act:?} ({w}, {b})");
        assert!((p.xi_grad + 1.0 / chi_1.ln()).abs() < 1e-6 * p.xi_grad.abs());
        assert!((p.xi_c + 1.0 / chi_c.ln()).abs() < 1e-6 * p.xi_c.abs());
        assert_eq!(p.max_depth, 6.0 * p.xi_c);
    }
}

/// Every Gaussian average of every activation against SciPy (`quad`, split at the kink; the
/// pair averages nested, the inner integral split where its argument crosses 0). Per row:
/// (mean, mean_sq, mean_dsq) at q = 0.25 and at q = 3, then (cross, dcross) at q = 1.5 for
/// c = -0.6, 0.3, 0.9.
#[test]
fn gaussian_averages_of_every_activation_match_scipy() {
    let table = [
        (
            RELU,
            [
                0.19947114020071638,
                0.12500000000000003,
                0.5000000000000001,
                0.6909882989426709,
                1.5,
                0.5000000000000001,
                0.05816067582488447,
                0.14758361765043332,
                0.36205821287661566,
                0.2984933420103392,
                0.6821537991335042,
                0.42821685343564697,
            ],
        ),
        (
            Activation::LeakyRelu,
            [
                0.1974764288432945,
                0.12501249999944122,
                0.5000499999977649,
                0.684078416107692,
                1.5001499999932946,
                0.5000499999977649,
                0.04800327860287479,
                0.15464670350098753,
                0.35935325450002237,
                0.3025533244129186,
                0.6820789385308959,
                0.4296953380182737,
            ],
        ),
        (
            TANH,
            [
                0.0,
                0.17351614343237184,
                0.71737986160311,
                0.0,
                0.5894390844781304,
                0.29201713069200236,
                -0.26223049602624043,
                0.31029647972851643,
                0.1281334453314954,
                0.2888724403960818,
                0.4117083503043901,
                0.36182811757312305,
            ],
        ),
        (
            Activation::Sigmoid,
            [
                0.5000000000000001,
                0.26395557756012034,
                0.056034683259542195,
                0.5000000000000001,
                0.33565974297432943,
                0.032295447223191526,
                0.21625276388249803,
                0.038197121585944745,
                0.26675818203873236,
                0.03740753337424971,
                0.3012368027466753,
                0.039667576871994285,
            ],
        ),
        (
            Activation::Gelu,
            [
                0.0892062058076386,
                0.08350672379334984,
                0.3556851396521125,
                0.5984134206021489,
                1.4256169296225143,
                0.5009863207185942,
                -0.029770405683371397,
                0.1309683895426253,
                0.2684589602930644,
                0.3069195538323562,
                0.6026793606274496,
                0.4455400911024503,
            ],
        ),
        (
            Activation::Selu,
            [
                -0.05480050359611252,
                0.330686029104582,
                1.3605021017147858,
                0.1750035805139828,
                2.379688452690145,
                0.8836819845678987,
                -0.7767702599852084,
                0.8590203629335978,
                0.39996939138802534,
                0.8934759903862264,
                1.2279729164532192,
                0.9573092488656504,
            ],
        ),
        (
            Activation::Softsign,
            [
                0.0,
                0.08578581501383113,
                0.37681687495750554,
                0.0,
                0.2914078447218362,
                0.1425877818778626,
                -0.12417495413639326,
                0.14515167177494803,
                0.0609728320424389,
                0.13702056158456533,
                0.19360139339820331,
                0.1679252097088343,
            ],
        ),
        (
            Activation::Identity,
            [
                0.0,
                0.25000000000000006,
                1.0000000000000002,
                0.0,
                3.0,
                1.0000000000000002,
                -0.8999999999999999,
                1.0000000000000002,
                0.45,
                1.0000000000000002,
                1.3500000000000003,
                1.0000000000000002,
            ],
        ),
    ];
    for (act, want) in table {
        let m = Moments::new(act);
        let mut got = Vec::new();
        for q in [0.25, 3.0] {
            got.extend([m.mean(q), m.mean_sq(q), m.mean_dsq(q)]);
        }
        for c in [-0.6, 0.3, 0.9] {
            got.extend([m.cross(1.5, c), m.dcross(1.5, c)]);
        }
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() < 1e-10, "{act:?} entry {i}: {g} vs {w}");
        }
    }
}

/// ReLU's averages are the arc-cosine closed forms, exact to the last bit where the true value
/// is a float (a quadrature, even split at the kink, is a few ulps off): with u ~ N(0, q),
/// E[relu(u)] = sqrt(q / (2 pi)), E[relu(u)^2] = q / 2, and for a pair correlated by c,
/// E[relu(u1) relu(u2)] is q / 2 at c = 1 and E[relu(u)]^2 = q / (2 pi) at c = 0,
/// E[relu'(u1) relu'(u2)] = P(u1 > 0, u2 > 0) is 1/2 at c = 1 and 1/4 at c = 0.
#[test]
fn relu_averages_are_exact() {
    let m = Moments::new(RELU);
    let two_pi = 2.0 * std::f64::consts::PI;
    assert_eq!(m.mean(two_pi), 1.0);
    assert_eq!(m.mean_sq(2.0), 1.0);
    assert_eq!(m.mean_dsq(3.0), 0.5);
    assert_eq!((m.cross(1.0, 1.0), m.cross(1.0, 0.0)), (0.5, 1.0 / two_pi));
    assert_eq!((m.dcross(1.0, 1.0), m.dcross(1.0, 0.0)), (0.5, 0.25));
}

/// phi against the network's own f32 activation, phi' against central differences of phi
/// (away from the kink at 0).
#[test]
fn activation_values_and_derivatives_agree_with_the_network() {
    for act in Activation::ALL {
        for x in [-3.0, -1.2, -0.4, 0.3, 0.9, 2.5] {
            let net = f64::from(act.apply(x as f32));
            assert!(
                (phi(act, x) - net).abs() < 1e-6 * (1.0 + net.abs()),
                "{act:?} at {x}"
            );
            let h = 1e-6;
            let diff = (phi(act, x + h) - phi(act, x - h)) / (2.0 * h);
            assert!((dphi(act, x) - diff).abs() < 1e-7, "{act:?}' at {x}");
        }
    }
}

/// Far out, where exp overflows: sigmoid is 1 and 0 to double precision (1 - sigma(800) =
/// e^-800 < 1e-300), its slope 0; so lengths with pre-activations of hundreds stay finite.
#[test]
fn sigmoid_saturates_without_overflow() {
    let s = Activation::Sigmoid;
    assert_eq!((phi(s, 800.0), phi(s, -800.0)), (1.0, 0.0));
    assert_eq!((dphi(s, 800.0), dphi(s, -800.0)), (0.0, 0.0));
}

/// At the kink x = 0, phi' is the left derivative, as in the network's backward kernels
/// (`model::kernels`: ReLU 0, leaky ReLU its slope, SELU y + scale alpha = scale alpha at y = 0),
/// so a measured Jacobian through pre-activations that are exactly 0 (zero weights) agrees.
#[test]
fn derivatives_at_the_kink_are_the_networks() {
    let (l, a) = (1.050_700_987_355_480_5f64, 1.673_263_242_354_377_3f64);
    assert_eq!(dphi(RELU, 0.0), 0.0);
    assert_eq!(dphi(Activation::LeakyRelu, 0.0), f64::from(0.01f32));
    assert_eq!(dphi(Activation::Selu, 0.0), l * a);
}

/// GELU at sigma_w2 = 2.2 behaves like ReLU at large q (slope 1.1 > 1) and like x / 2 near 0
/// (slope 0.55): with sigma_b2 = 0 it has an unstable fixed point between q = 1 and 10 (SciPy:
/// the length map minus q is -0.065 at 1 and +0.88 at 10), so q* depends on the start; with
/// sigma_b2 = 0.1 the map stays above the identity and q grows without bound, slowly (110 after
/// 60 layers), so the bracketing search has to carry it past Q_MAX.
#[test]
fn gelu_lengths_collapse_or_grow_without_bound_by_where_they_start() {
    let gelu = Activation::Gelu;
    let m = MeanField::new(gelu, 2.2, 0.0).expect("valid");
    assert_eq!(m.q_star_from(1.0), 0.0);
    assert_eq!(m.q_star_from(10.0), f64::INFINITY);
    let p = point(gelu, 2.2, 0.1);
    assert_eq!((p.q_star, p.phase), (f64::INFINITY, Phase::Unbounded));
}

/// GELU with sigma_b2 = 0.17: near sigma_w2 = 1.985 the length map has three fixed points, and at
/// a saddle-node (SciPy: sigma_w2 = 1.985 321 66) the lower two meet and vanish, so q* reached from
/// q^0 = 1 jumps from about 2.48 (chi_1 = 0.985) to about 7.16 (chi_1 = 1.014). chi_1 crosses 1
/// between two finite fixed points, never at one (SciPy, `quad` averages and `brentq` roots on a
/// grid of 400 sigma_w2 from 0.01 to 1.999: chi_1 < 0.967 before the jump, > 1.008 after), so
/// there is no critical point, although the refined crossing has a finite q*.
#[test]
fn gelu_crossing_between_two_finite_fixed_points_is_not_critical() {
    let gelu = Activation::Gelu;
    // SciPy: the only fixed point at 1.985 reached from 1 (of three: 2.1268, 3.1642, 6.4761)
    // and the single one at 1.986.
    for (w, q, chi) in [
        (1.985, 2.126_762_739_759_148_4, 0.975_864_922_232_539_3),
        (1.986, 8.448_778_215_137_466, 1.015_148_521_325_909),
    ] {
        let p = point(gelu, w, 0.17);
        assert!((p.q_star / q - 1.0).abs() < 1e-10, "{w}: q* = {}", p.q_star);
        assert!((p.chi_1 - chi).abs() < 1e-10, "{w}: chi_1 = {}", p.chi_1);
    }
    assert_eq!(critical_sigma_w2(gelu, 0.17), None);
}

/// Critical points of the other activations against SciPy (`brentq` on chi_1(sigma_w2) - 1,
/// with q* from q^0 = 1 by iteration and `brentq`, each average by `quad`).
#[test]
fn critical_points_of_other_activations_match_scipy() {
    for (act, b, want) in [
        (Activation::Softsign, 0.05, 3.141_247_236_043_848_4),
        (Activation::Selu, 0.1, 0.980_327_286_442_988_4),
        (Activation::Sigmoid, 0.1, 103.249_124_506_241_8),
    ] {
        let got = critical_sigma_w2(act, b).expect("critical point exists");
        assert!((got / want - 1.0).abs() < 1e-8, "{act:?}: {got} vs {want}");
    }
    // Leaky ReLU: chi_1 = sigma_w2 (1 + a^2) / 2, critical only without bias.
    let a = f64::from(0.01f32);
    let leaky = Activation::LeakyRelu;
    assert_eq!(critical_sigma_w2(leaky, 0.0), Some(2.0 / (1.0 + a * a)));
    assert_eq!(critical_sigma_w2(leaky, 0.1), None);
    // GELU without bias: from q^0 = 1, q* jumps from 0 (chi_1 = sigma_w2 / 4 < 1) straight to
    // infinity where chi_1 first reaches 1, so no point of the line has chi_1 = 1 at finite q*.
    assert_eq!(critical_sigma_w2(Activation::Gelu, 0.0), None);
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        assert_eq!(critical_sigma_w2(TANH, bad), None);
    }
}

/// The grids are laid out `grid[i][j]` at (sigma_w2[j], sigma_b2[i]); bad variances give an
/// infinite chi_1 in the cheap grid and an error in the full one.
#[test]
fn grids_follow_their_layout_and_refuse_bad_variances() {
    let (w, b) = ([0.5, 2.5, 4.0], [0.0, 0.05]);
    let chi = chi_1_grid(TANH, &w, &b);
    let full = phase_grid(TANH, &w, &b).expect("valid");
    assert_eq!((chi.len(), full.len()), (2, 2));
    for (&b, (chi_row, full_row)) in b.iter().zip(chi.iter().zip(&full)) {
        assert_eq!((chi_row.len(), full_row.len()), (3, 3));
        for (&w, (&c, f)) in w.iter().zip(chi_row.iter().zip(full_row)) {
            let p = point(TANH, w, b);
            assert_eq!(*f, p);
            assert_eq!(c, p.chi_1);
            assert_eq!(chi_1(TANH, w, b), p.chi_1);
        }
    }
    assert_eq!(chi_1(TANH, -1.0, 0.0), f64::INFINITY);
    assert_eq!(chi_1(TANH, 1.0, f64::NAN), f64::INFINITY);
    assert!(phase_grid(TANH, &[1.0, -1.0], &[0.0]).is_err());
    let line = critical_line(RELU, &[0.0, 0.1]);
    assert_eq!(line, vec![(0.0, Some(2.0)), (0.1, None)]);
}

/// sigma_w2 in closed form for the schemes the sampling test leaves loose (3%), the caveats,
/// and the predicted profiles on ReLU, where E[phi(u)^2] = q / 2 and E[phi'(u)^2] = 1 / 2.
#[test]
fn coordinates_in_closed_form() {
    let s = |name: &str, fi: usize, fo: usize| {
        let init: Initializer = name.parse().expect("name");
        sigma_w2(&init, fi, fo, RELU).expect("known")
    };
    // Var of N(0, 1) truncated to [-2, 2]: 0.77374130 (SciPy `truncnorm(-2, 2).var()`).
    assert!((s("trunc-normal:0.5", 40, 10) - 40.0 * 0.25 * 0.773_741_303_549_923_2).abs() < 1e-6);
    assert!((s("uniform:0.5", 30, 10) - 30.0 * 0.25 / 3.0).abs() < 1e-12);
    assert!((s("kaiming-uniform", 30, 10) - 2.0).abs() < 1e-6);
    assert!((s("kaiming-normal:mode=fan-out", 30, 10) - 6.0).abs() < 1e-5);
    assert!((s("identity", 30, 10) - 1.0).abs() < 1e-12);
    assert!((s("identity", 10, 30) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(s("sparse:20", 8, 10), 8.0);
    for name in ["zeros", "ones", "constant:0.5"] {
        assert_eq!(s(name, 8, 10), 0.0, "{name}");
    }
    let caveat = |name: &str| coordinates::caveat(&name.parse().expect("name"));
    assert!(
        caveat("identity")
            .expect("caveat")
            .starts_with("deterministic")
    );
    assert!(caveat("sparse:5").expect("caveat").starts_with("sparse"));
    assert!(
        caveat("lsuv")
            .expect("caveat")
            .starts_with("data-dependent")
    );
    assert!(
        caveat("constant:0.5")
            .expect("caveat")
            .starts_with("degenerate")
    );
    assert_eq!(caveat("kaiming-normal"), None);

    let close = |a: Vec<f64>, b: &[f64]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    };
    assert!(close(
        predict_lengths(RELU, &[2.0, 1.0, 4.0], 0.1, 3.0),
        &[6.1, 3.15, 6.4]
    ));
    assert_eq!(
        predict_gradients(RELU, &[2.0, 1.0, 4.0], &[6.1, 3.15, 6.4]),
        vec![1.0, 2.0, 1.0]
    );
    // Only as many layers as both inputs have.
    assert_eq!(
        predict_gradients(RELU, &[2.0, 1.0, 4.0], &[6.1, 3.15]),
        vec![0.5, 1.0]
    );

    let model = ModelSpec {
        hidden: vec![20, 30],
        activation: RELU,
        bias: BiasInit::Constant(0.1),
        gain: 1.0,
    };
    let c = coordinates(
        &"kaiming-normal".parse().expect("name"),
        &model,
        (10, 5),
        2.0,
    );
    assert_eq!(c.initializer, "kaiming-normal");
    // A sweep's gain scales sigma_w^2 by gain^2; N(0, s^2) biases give sigma_b^2 = s^2.
    let swept = ModelSpec {
        bias: BiasInit::Normal(0.3),
        gain: 2.0,
        ..model.clone()
    };
    let s = coordinates(
        &"kaiming-normal".parse().expect("name"),
        &swept,
        (10, 5),
        2.0,
    );
    for l in &s.layers {
        assert!((l.sigma_w2.expect("known") - 8.0).abs() < 1e-6, "{l:?}");
        assert!((l.sigma_b2 - 0.09).abs() < 1e-6, "{l:?}");
        assert_eq!(
            l.point,
            Some(point(RELU, l.sigma_w2.expect("known"), l.sigma_b2))
        );
    }
    assert!(
        s.caveats.iter().all(|c| !c.contains("constant shift")),
        "{:?}",
        s.caveats
    );
    let fans: Vec<(usize, usize, usize)> = c
        .layers
        .iter()
        .map(|l| (l.layer, l.fan_in, l.fan_out))
        .collect();
    assert_eq!(fans, vec![(0, 10, 20), (1, 20, 30), (2, 30, 5)]);
    for l in &c.layers {
        let w = l.sigma_w2.expect("known");
        assert!((w - 2.0).abs() < 1e-6 && l.sigma_b2 == 0.0);
        assert_eq!(l.point, Some(point(RELU, w, 0.0)));
    }
    let lengths = c.lengths.expect("known");
    assert!(
        lengths.iter().all(|q| (q - 4.0).abs() < 1e-5),
        "{lengths:?}"
    );
    let grads = c.gradients.expect("known");
    assert!(grads.iter().all(|g| (g - 1.0).abs() < 1e-6), "{grads:?}");
    assert_eq!(c.caveats.len(), 1);
    assert!(
        c.caveats[0].starts_with("bias constant:0.1"),
        "{:?}",
        c.caveats
    );
}

/// The Jacobian of a network wider at the output than at the input (J^T J is used then) and
/// of one narrower, against singular values known in closed form: a linear layer with
/// orthogonal rows scaled by 3 and 4 has singular values {4, 3}, however the shapes are turned;
/// with ReLU, an input on the negative side of a unit removes it from J. A zero network's
/// normalized variance is 0, not NaN.
#[test]
fn jacobian_spectra_of_wide_and_narrow_layers_in_closed_form() {
    use initlab::theory::jacobian_spectrum;
    // weights are [in, out] row-major.
    let wide = ArmWeights {
        weights: vec![vec![3.0, 0.0, 0.0, 0.0, 4.0, 0.0]],
        biases: vec![vec![0.0; 3]],
        lsuv: None,
    };
    let s = jacobian_spectrum(&wide, Activation::Identity, &[0.3, -0.2]).expect("2 -> 3");
    assert_eq!(s.singular_values.len(), 2, "min(n_in, n_out) values");
    assert!((s.singular_values[0] - 4.0).abs() < 1e-9 && (s.singular_values[1] - 3.0).abs() < 1e-9);
    assert!(
        (s.mean_sq - 12.5).abs() < 1e-9 && (s.var_sq - 12.25).abs() < 1e-9,
        "{s:?}"
    );
    let narrow = ArmWeights {
        weights: vec![vec![3.0, 0.0, 0.0, 4.0, 0.0, 0.0]],
        biases: vec![vec![0.0; 2]],
        lsuv: None,
    };
    let s = jacobian_spectrum(&narrow, Activation::Identity, &[0.1, 0.2, 0.3]).expect("3 -> 2");
    assert_eq!(s.singular_values.len(), 2);
    assert!((s.singular_values[0] - 4.0).abs() < 1e-9 && (s.singular_values[1] - 3.0).abs() < 1e-9);
    // Two layers, 2 -> 2 -> 3, ReLU: the input makes the second hidden unit negative, so only
    // the first path (3 x 5) survives.
    let deep = ArmWeights {
        weights: vec![vec![1.0, 0.0, 0.0, 1.0], vec![5.0, 0.0, 0.0, 0.0, 7.0, 0.0]],
        biases: vec![vec![0.0; 2], vec![0.0; 3]],
        lsuv: None,
    };
    let s = jacobian_spectrum(&deep, Activation::Relu, &[0.5, -0.5]).expect("2 -> 2 -> 3");
    assert!(
        (s.singular_values[0] - 5.0).abs() < 1e-9 && s.singular_values[1].abs() < 1e-9,
        "{s:?}"
    );
    let zero = ArmWeights {
        weights: vec![vec![0.0; 6]],
        biases: vec![vec![0.0; 3]],
        lsuv: None,
    };
    let s = jacobian_spectrum(&zero, Activation::Identity, &[1.0, 1.0]).expect("zeros");
    assert_eq!(s.normalized_var(), 0.0);
}

/// The Gauss–Hermite rule's own nodes and weights (probabilists' normalisation): n symmetric
/// nodes, weights summing to 1, the second and fourth moments of N(0, 1) (1 and 3) exact.
#[test]
fn gauss_hermite_nodes_and_weights_are_a_normal_rule() {
    let gh = GaussHermite::new(20);
    let (x, w) = (gh.nodes(), gh.weights());
    assert_eq!((x.len(), w.len()), (20, 20));
    for (a, b) in x.iter().zip(x.iter().rev()) {
        assert!((a + b).abs() < 1e-12, "{a} {b}");
    }
    let moment = |k: i32| x.iter().zip(w).map(|(x, w)| w * x.powi(k)).sum::<f64>();
    assert!((moment(0) - 1.0).abs() < 1e-12);
    assert!((moment(2) - 1.0).abs() < 1e-12);
    assert!((moment(4) - 3.0).abs() < 1e-11);
    assert!(w.iter().all(|w| *w > 0.0));
}
