//! Mean-field theory against the papers' numbers, its quadrature against closed forms, and its
//! predictions against networks actually drawn by `init_arm`.

use std::process::Command;

use initlab::activation::Activation;
use initlab::init::{ArmWeights, BiasInit, InitSettings, Initializer, init_arm, sample};
use initlab::model::ModelSpec;
use initlab::rng::derive_rng;
use initlab::theory::gauss_legendre::{expect_pair_split, expect_split};
use initlab::theory::linalg::{gram_eigenvalues, symmetric_eigenvalues};
use initlab::theory::nonlinearity::erf;
use initlab::theory::{
    GaussHermite, JacobianSpectrum, MeanField, Phase, PhasePoint, arc_cosine, chi_1_grid,
    coordinates, critical_line, critical_sigma_w2, jacobian_spectrum, measure, predict_gradients,
    predict_lengths, sigma_w2,
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

fn initlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_initlab"))
        .args(args)
        .output()
        .expect("runs the binary")
}

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
