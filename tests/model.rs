//! The fused bias + activation operation against the same layer composed from Burn ops: equal
//! outputs and equal gradients for the input, the weights and the bias, for every activation.

use burn::tensor::{Device, Tensor, TensorData};
use initlab::activation::Activation;
use initlab::model::{activate, bias_activate, forward, forward_visiting};

const ARMS: usize = 3;
const ROWS: usize = 5;
const IN: usize = 4;
const OUT: usize = 6;

fn values(n: usize, scale: f32, phase: f32) -> Vec<f32> {
    (0..n)
        .map(|i| scale * ((i as f32 * 0.37 + phase).sin() + 0.25 * (i as f32 * 1.3).cos()))
        .collect()
}

fn tensor(v: Vec<f32>, shape: [usize; 3], device: &Device) -> Tensor<3> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

fn host(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("f32 tensor")
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// A layer `act(x W + b)` and its gradients under the loss `sum(out * c)`, fused or composed.
/// `x` and `W` have `arms` arms (1: broadcast against the bias), the bias `bias_arms`.
fn layer(
    act: Activation,
    fused: bool,
    arms: usize,
    bias_arms: usize,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let device = Device::flex();
    let x = tensor(
        values(arms * ROWS * IN, 1.5, 0.1),
        [arms, ROWS, IN],
        &device,
    )
    .autodiff()
    .require_grad();
    let w = tensor(values(arms * IN * OUT, 1.2, 0.7), [arms, IN, OUT], &device)
        .autodiff()
        .require_grad();
    let b = tensor(
        values(bias_arms * OUT, 0.8, 2.0),
        [bias_arms, 1, OUT],
        &device,
    )
    .autodiff()
    .require_grad();
    let c = tensor(
        values(ARMS * ROWS * OUT, 1.0, 3.0),
        [ARMS, ROWS, OUT],
        &device,
    )
    .autodiff();
    let z = x.clone().matmul(w.clone());
    let out = if fused {
        bias_activate(z, b.clone(), act)
    } else {
        activate(z + b.clone(), act)
    };
    let grads = (out.clone() * c).sum().backward();
    let g = |t: &Tensor<3>| host(t.grad(&grads).expect("tracked").inner());
    (host(out.inner()), g(&x), g(&w), g(&b))
}

#[test]
fn fused_layer_matches_composed_ops_in_value_and_gradient() {
    for act in Activation::ALL {
        for (arms, bias_arms) in [(ARMS, ARMS), (ARMS, 1), (1, ARMS)] {
            let fused = layer(act, true, arms, bias_arms);
            let reference = layer(act, false, arms, bias_arms);
            let names = ["output", "dx", "dW", "db"];
            let pairs = [
                (&fused.0, &reference.0),
                (&fused.1, &reference.1),
                (&fused.2, &reference.2),
                (&fused.3, &reference.3),
            ];
            for (name, (f, r)) in names.iter().zip(pairs) {
                let d = max_diff(f, r);
                assert!(
                    d < 2e-5,
                    "{act}, bias arms {bias_arms}: {name} differs by {d}"
                );
            }
            assert!(
                fused.3.iter().any(|&g| g != 0.0),
                "{act}: zero bias gradient"
            );
        }
    }
}

#[test]
fn visiting_forward_gives_the_same_output_and_consistent_layers() {
    let device = Device::flex();
    let dims = [IN, OUT, OUT, 3];
    let mut params = Vec::new();
    for (l, d) in dims.windows(2).enumerate() {
        params.push(tensor(
            values(ARMS * d[0] * d[1], 0.6, l as f32),
            [ARMS, d[0], d[1]],
            &device,
        ));
        params.push(tensor(
            values(ARMS * d[1], 0.3, 5.0 + l as f32),
            [ARMS, 1, d[1]],
            &device,
        ));
    }
    let x = tensor(values(ROWS * IN, 1.0, 0.0), [1, ROWS, IN], &device);
    let plain = host(forward(&params, x.clone(), Activation::Tanh));
    let mut seen = Vec::new();
    let visited = host(forward_visiting(
        &params,
        x,
        Activation::Tanh,
        &mut |l, z, h| seen.push((l, host(z.clone()), host(h.clone()))),
    ));
    assert_eq!(plain, visited);
    assert_eq!(seen.len(), 3);
    for (l, z, h) in &seen {
        let expected: Vec<f32> = if *l < 2 {
            z.iter().map(|&v| v.tanh()).collect()
        } else {
            z.clone()
        };
        assert!(max_diff(h, &expected) < 1e-6, "layer {l}");
    }
    assert_eq!(&seen[2].2, &visited);
}

/// Cross-entropy, accuracy, MSE and R² against hand computations.
#[test]
fn losses_and_scores_match_hand_computations() {
    use initlab::data::Targets;
    use initlab::train::{ScoreAccumulator, cross_entropy};
    // logits (1, 2, 3), class 0: ln(e + e^2 + e^3) - 1 = 2.40760596444438 (computed by hand:
    // e + e^2 + e^3 = 30.19287485057736, ln = 3.40760596444438).
    let (loss, argmax) = cross_entropy(&[1.0, 2.0, 3.0], 0);
    assert!((loss - 2.407_605_964_444_38).abs() < 1e-12, "{loss}");
    assert_eq!(argmax, 2);
    // Two arms, two rows, two classes; targets (1, 0).
    let targets = Targets::Classes(vec![1, 0]);
    let out = [0.0, 0.0, 2.0, 0.0, /* arm 1 */ 0.0, 1.0, 0.0, 1.0];
    let mut acc = ScoreAccumulator::new(2);
    acc.add(&out, 2, &targets, 0, 2);
    let s = acc.finish(&targets);
    // Arm 0: rows give ln 2 and ln(1 + e^-2); argmax 0 for both: 1 hit of 2.
    let ln2 = std::f64::consts::LN_2;
    let expected = (ln2 + (1.0 + (-2f64).exp()).ln()) / 2.0;
    assert!(
        (s[0].loss - expected).abs() < 1e-12 && s[0].score == 0.5,
        "{:?}",
        s[0]
    );
    // Arm 1: ln(1 + e^-1) and ln(1 + e^1); argmax 1 for both: 1 hit.
    let expected = ((1.0 + (-1f64).exp()).ln() + (1.0 + 1f64.exp()).ln()) / 2.0;
    assert!(
        (s[1].loss - expected).abs() < 1e-12 && s[1].score == 0.5,
        "{:?}",
        s[1]
    );
    // Regression: y = (1, 2, 3, 4), predictions (1, 2, 2, 5): MSE = 2/4 = 0.5, Var(y) = 1.25,
    // R² = 1 - 0.5 / 1.25 = 0.6.
    let targets = Targets::Values(vec![1.0, 2.0, 3.0, 4.0]);
    let mut acc = ScoreAccumulator::new(1);
    acc.add(&[1.0, 2.0], 1, &targets, 0, 2);
    acc.add(&[2.0, 5.0], 1, &targets, 2, 2);
    let s = acc.finish(&targets);
    assert!(
        (s[0].loss - 0.5).abs() < 1e-12 && (s[0].score - 0.6).abs() < 1e-12,
        "{s:?}"
    );
}
