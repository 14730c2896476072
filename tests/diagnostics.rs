//! Layer diagnostics on bundled data: the textbook failure modes show up where they should.

use std::sync::atomic::AtomicBool;

use initlab::activation::Activation;
use initlab::data::bundled::Bundled;
use initlab::data::{PrepareOptions, PreparedData, prepare};
use initlab::diagnostics::EpochDiagnostics;
use initlab::init::LSUV_TOLERANCE;
use initlab::study::{RepeatMode, RunOptions, StudyResult, StudySpec, run_study};
use initlab::train::OptimizerKind;

fn digits() -> PreparedData {
    let b = Bundled::by_name("digits").expect("bundled");
    prepare(
        &b.load().expect("loads"),
        &PrepareOptions {
            target: "digit".into(),
            ..PrepareOptions::default()
        },
        0,
    )
    .expect("prepares")
}

fn study(inits: &[&str], hidden: Vec<usize>, activation: Activation, epochs: usize) -> StudySpec {
    let mut s = StudySpec {
        initializers: inits.iter().map(|i| i.parse().expect(i)).collect(),
        repeats: 1,
        // One shared split: these tests are about the diagnostics.
        repeat_mode: RepeatMode::Seeds,
        ..StudySpec::default()
    };
    s.model.hidden = hidden;
    s.model.activation = activation;
    s.train.epochs = epochs;
    s
}

fn run(spec: &StudySpec, data: &PreparedData) -> StudyResult {
    run_study(
        spec,
        data,
        &RunOptions { threads: 2 },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs")
}

fn diag(r: &StudyResult, arm: usize) -> &[EpochDiagnostics] {
    &r.runs[arm]
        .diagnostics
        .as_ref()
        .expect("diagnostics recorded")
        .epochs
}

#[test]
fn zeros_keeps_one_distinct_unit_per_layer_throughout() {
    // digits, 64-128-128-10 tanh, Adam 1e-3, 5 epochs.
    let r = run(
        &study(
            &["zeros", "xavier-normal"],
            vec![128, 128],
            Activation::Tanh,
            5,
        ),
        &digits(),
    );
    let zeros = diag(&r, 0);
    assert_eq!(zeros.len(), 6, "epoch 0 and 5 epochs");
    for e in zeros {
        for l in 0..2 {
            assert_eq!(e.layers[l].distinct_units, 1, "epoch {} layer {l}", e.epoch);
        }
    }
    let xavier = diag(&r, 1);
    assert!(xavier.iter().all(|e| e.layers[0].distinct_units == 128));
    // Gradients are measured: the first (initial) gradient and every epoch's last step.
    assert!(xavier.iter().all(|e| {
        e.layers
            .iter()
            .all(|l| l.grad_norm.is_some_and(|g| g > 0.0))
    }));
    assert!(
        xavier
            .iter()
            .all(|e| e.layers.iter().all(|l| l.weight_norm > 0.0))
    );
    // results.json carries them.
    let json = r.to_json();
    assert!(
        json.contains("\"diagnostics\"")
            && json.contains("\"distinct_units\"")
            && json.contains("\"histograms_init\"")
    );
}

#[test]
fn large_weights_saturate_tanh_and_xavier_does_not() {
    // digits, 64-128-128-10 tanh, at initialization (one epoch trained, epoch 0 inspected).
    let r = run(
        &study(
            &["normal:1", "xavier-normal"],
            vec![128, 128],
            Activation::Tanh,
            1,
        ),
        &digits(),
    );
    let big = diag(&r, 0)[0].layers[0].saturated.expect("tanh saturation");
    let xavier = diag(&r, 1)[0].layers[0].saturated.expect("tanh saturation");
    assert!(big > 0.5, "normal:1 saturates {big}");
    assert!(xavier < 0.1, "xavier-normal saturates {xavier}");
    let hist = &r.runs[0].diagnostics.as_ref().expect("d").histograms_init[0];
    let (edges, total): (u32, u32) = (
        hist.counts[0] + hist.counts[hist.counts.len() - 1],
        hist.counts.iter().sum(),
    );
    assert!(
        edges as f64 > 0.4 * total as f64,
        "normal:1 piles up at +-1 in the histogram"
    );
}

#[test]
fn small_weights_make_a_deep_relu_signal_vanish_and_kaiming_keeps_it() {
    // digits, 10 ReLU hidden layers of 64, at initialization.
    let r = run(
        &study(
            &["normal:0.01", "kaiming-normal"],
            vec![64; 10],
            Activation::Relu,
            1,
        ),
        &digits(),
    );
    let ratio = |arm: usize| {
        let e = &diag(&r, arm)[0];
        e.layers[9].act_std / e.layers[0].act_std
    };
    // Each ReLU layer of width 64 scales the signal by about 0.01 * sqrt(64 / 2) = 0.057, so
    // nine layers give ~6e-12 (normal:0.1 would give ~6e-3, so a loose bound would pass it too).
    let per_layer = ratio(0).powf(1.0 / 9.0);
    assert!(
        ratio(0) <= 1e-9 && (0.04..=0.08).contains(&per_layer),
        "normal:0.01: last/first activation std {} ({per_layer} per layer)",
        ratio(0)
    );
    assert!(
        (0.2..=5.0).contains(&ratio(1)),
        "kaiming-normal: last/first activation std {}",
        ratio(1)
    );
}

#[test]
fn he_et_al_in_miniature_deep_relu_trains_with_kaiming_not_with_small_normal() {
    // digits, 10 ReLU hidden layers of 64, SGD with momentum 0.9, lr 0.01, batch 64, 8 epochs.
    let mut s = study(
        &["kaiming-normal", "normal:0.01"],
        vec![64; 10],
        Activation::Relu,
        8,
    );
    s.train.optimizer.kind = OptimizerKind::Momentum;
    s.train.lr = 0.01;
    let r = run(&s, &digits());
    let acc = |arm: usize| {
        r.runs[arm]
            .epochs
            .last()
            .and_then(|e| e.val_accuracy)
            .expect("accuracy")
    };
    assert!(acc(0) > 0.8, "kaiming-normal accuracy {}", acc(0));
    assert!(
        acc(1) < 0.2,
        "normal:0.01 accuracy {} (chance is 0.1)",
        acc(1)
    );
}

#[test]
fn lsuv_gives_unit_variance_on_every_hidden_layer_at_initialization() {
    let r = run(
        &study(&["lsuv"], vec![128, 64, 32], Activation::Tanh, 1),
        &digits(),
    );
    let e = &diag(&r, 0)[0];
    for (l, layer) in e.layers.iter().take(3).enumerate() {
        let var = layer.pre_std * layer.pre_std;
        // LSUV measured on the host; this is Burn's forward on the same rows: allow f32 rounding.
        assert!(
            (var - 1.0).abs() <= LSUV_TOLERANCE as f64 + 1e-4,
            "layer {l}: variance {var}"
        );
    }
}
