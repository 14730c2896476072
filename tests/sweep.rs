//! Sweeps: axes and their errors, the trainability frontier on real data, determinism, and
//! results that do not depend on how points and arms are grouped.

use std::sync::atomic::{AtomicBool, Ordering};

use initlab::init::BiasInit;
use initlab::study::sweep::{Axis, load_tables, run_sweep};
use initlab::study::{
    RepeatMode, RunOptions, StudySpec, Sweep, SweepResult, builtin, run_study_table,
};

/// A digits study of `inits` with MLPs of width 64: momentum SGD (lr 0.01, batch 64), five
/// epochs, two repeats on the study's fixed split, no diagnostics.
fn digits(inits: &[&str], activation: &str) -> StudySpec {
    let mut s = StudySpec {
        initializers: builtin(inits),
        repeats: 2,
        repeat_mode: RepeatMode::Seeds,
        diagnostics: false,
        ..StudySpec::default()
    };
    s.model.hidden = vec![64];
    s.model.activation = activation.parse().expect("activation");
    s.train.optimizer.kind = "momentum".parse().expect("optimizer");
    s.train.lr = 0.01;
    s.train.epochs = 5;
    s
}

fn with_axes(mut spec: StudySpec, axes: &[&str]) -> StudySpec {
    spec.sweep = Some(Sweep {
        axes: axes
            .iter()
            .map(|a| Axis::parse_arg(a).expect("axis"))
            .collect(),
        ..Sweep::default()
    });
    spec
}

fn run(spec: &StudySpec, threads: usize) -> SweepResult {
    let (spec, tables) = load_tables(spec, None, &mut |_| {}).expect("data");
    run_sweep(
        &spec,
        &tables,
        &RunOptions { threads },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("sweep runs")
}

/// `trained[point][init]`: repeats that trained.
fn trained(r: &SweepResult) -> Vec<Vec<usize>> {
    let inits = r.spec.initializer_names();
    r.points
        .iter()
        .map(|p| {
            inits
                .iter()
                .map(|i| {
                    p.result
                        .runs
                        .iter()
                        .zip(&p.trainability)
                        .filter(|(run, t)| &run.initializer == i && t.trained)
                        .count()
                })
                .collect()
        })
        .collect()
}

/// He et al. (2015) on digits: with ReLU, Xavier's variance halves at every layer, so the
/// signal vanishes with depth and Xavier stops training well before Kaiming does. Measured
/// here: both train at depth 2 and 8; at depth 16 Xavier trains in neither repeat, Kaiming in
/// both (momentum 0.01, width 64, 5 epochs).
#[test]
fn xavier_loses_trainability_with_depth_before_kaiming() {
    let spec = with_axes(
        digits(&["xavier-normal", "kaiming-normal"], "relu"),
        &["depth=2,8,16"],
    );
    let r = run(&spec, 2);
    let t = trained(&r);
    assert_eq!(t[0], [2, 2], "depth 2: both train");
    assert_eq!(t[1][1], 2, "depth 8: kaiming trains");
    assert_eq!(t[2], [0, 2], "depth 16: xavier stalls, kaiming trains");
    let judged = &r.points[2].trainability[0];
    assert!(
        !judged.trained && judged.steps_to_threshold.is_none(),
        "{judged:?}"
    );
    assert!(
        judged.reason.contains("> 0.5 x initial"),
        "{}",
        judged.reason
    );
}

/// Schoenholz et al. (2017), the shape of the trainable region: tanh nets with sigma_b^2 = 0.05
/// train at depth 24 only near the critical line (gain 1.33, sigma_w^2 = 1.77: chi_1 = 1), not
/// deep in the ordered (gain 0.5, predicted 6 xi_c = 4.6) or chaotic phase (gain 8, 6 xi_c
/// = 17); at depth 2 every gain trains.
#[test]
fn tanh_trains_deep_only_near_the_critical_line() {
    let mut study = digits(&["lecun-normal"], "tanh");
    study.model.bias = BiasInit::Normal(0.05f32.sqrt());
    let spec = with_axes(study, &["gain=0.5,1.33,8", "depth=2,24"]);
    let r = run(&spec, 2);
    let t: Vec<usize> = trained(&r).into_iter().map(|c| c[0]).collect();
    // Row-major: gain slowest, then depth.
    assert_eq!(t, [2, 0, 2, 2, 2, 0], "trained per (gain, depth)");
}

/// The same sweep twice, and on 1 or 3 threads, gives the same numbers; a point trained
/// stacked with the others equals the same study trained alone, bit for bit.
#[test]
fn sweeps_are_deterministic_and_independent_of_grouping() {
    let mut study = digits(&["xavier-normal", "kaiming-normal", "orthogonal"], "tanh");
    study.train.epochs = 2;
    study.prepare.val_fraction = 0.5;
    let spec = with_axes(study, &["gain=0.5,1,2", "depth=1,3"]);
    // Everything but wall times.
    let runs = |r: &SweepResult| -> Vec<String> {
        r.points
            .iter()
            .map(|p| {
                let judged: Vec<_> = p
                    .trainability
                    .iter()
                    .cloned()
                    .map(|mut t| {
                        t.seconds_to_threshold = None;
                        t
                    })
                    .collect();
                serde_json::to_string(&(&p.result.runs, &judged)).expect("json")
            })
            .collect()
    };
    let one = run(&spec, 1);
    assert_eq!(runs(&one), runs(&run(&spec, 1)), "same sweep twice");
    assert_eq!(runs(&one), runs(&run(&spec, 3)), "1 vs 3 threads");
    // Point (gain 2, depth 3) trained alone as a plain study.
    let point = spec.points().into_iter().nth(5).expect("6 points");
    assert_eq!(point.spec.model.gain, 2.0);
    assert_eq!(point.spec.model.hidden, [64, 64, 64]);
    let table = initlab::data::bundled::Bundled::by_name("digits")
        .expect("bundled")
        .load()
        .expect("loads");
    let alone = run_study_table(
        &point.spec,
        &table,
        &RunOptions { threads: 1 },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs");
    assert_eq!(
        serde_json::to_string(&alone.runs).expect("json"),
        serde_json::to_string(&one.points[5].result.runs).expect("json"),
        "the point alone equals the point in the sweep"
    );
}

/// Cancelling keeps the points that finished and the finished epochs of the running one.
#[test]
fn cancel_keeps_finished_points_and_epochs() {
    let mut study = digits(&["kaiming-normal"], "relu");
    study.repeats = 1;
    study.train.epochs = 4;
    // Two depths: two shapes, two groups, trained one after the other on one thread.
    let spec = with_axes(study, &["depth=1,2"]);
    let (spec, tables) = load_tables(&spec, None, &mut |_| {}).expect("data");
    let cancel = AtomicBool::new(false);
    let emit = |e: initlab::train::TrainEvent| {
        // Arm 1 is point 1's only arm: stop once it finished epoch 2.
        if let initlab::train::TrainEvent::Epoch { arm: 1, metrics } = e
            && metrics.epoch == 2
        {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let r =
        run_sweep(&spec, &tables, &RunOptions { threads: 1 }, &emit, &cancel).expect("sweep runs");
    assert!(r.points[0].result.completed, "point 0 finished first");
    let epochs: Vec<usize> = r.points[1].result.runs[0]
        .epochs
        .iter()
        .map(|e| e.epoch)
        .collect();
    assert_eq!(epochs, [0, 1, 2], "point 1 keeps its finished epochs");
    assert!(!r.points[1].result.completed && !r.completed);
    assert!(r.points[1].trainability[0].reason.contains("not judged"));
}

#[test]
fn axes_parse_lists_and_ranges() {
    let values = |a: &str| {
        let axis = Axis::parse_arg(a).expect(a);
        (0..axis.len()).map(|i| axis.label(i)).collect::<Vec<_>>()
    };
    assert_eq!(values("depth=2..32:x2"), ["2", "4", "8", "16", "32"]);
    assert_eq!(
        values("lr=1e-4..1e-1:log4"),
        ["1e-4", "1e-3", "0.01", "0.1"]
    );
    assert_eq!(values("gain=0.5..2:lin4"), ["0.5", "1", "1.5", "2"]);
    assert_eq!(values("width=1..4"), ["1", "2", "3", "4"]);
    assert_eq!(values("bias_std=0,0.1"), ["0", "0.1"]);
    assert_eq!(values("activation=relu,tanh"), ["relu", "tanh"]);
    assert_eq!(
        values("data=bundled:iris@species,bundled:wine"),
        ["bundled:iris@species", "bundled:wine"]
    );
}

#[test]
fn bad_axes_name_the_axis_and_the_value() {
    for (arg, expected) in [
        ("depth=", "sweep axis 'depth': give at least one value"),
        (
            "depth=0,2",
            "sweep axis 'depth': value 0 is out of range (1..=200)",
        ),
        ("depth=201", "value 201 is out of range"),
        ("width=0", "sweep axis 'width': value 0 is out of range"),
        ("lr=0", "sweep axis 'lr': value 0 is out of range"),
        ("lr=-0.1", "sweep axis 'lr': value -0.1 is out of range"),
        (
            "bias-std=-0.1",
            "sweep axis 'bias-std': value -0.1 is out of range",
        ),
        ("depth=2,2", "value 2 is given twice"),
        ("depth=2.5", "2.5 is not a whole number"),
        ("lr=abc", "'abc' is not a number"),
        (
            "size=1,2",
            "sweep axis 'size': unknown axis (valid: depth, width, lr",
        ),
        ("activation=swish", "unknown activation 'swish'"),
        ("depth 2", "write NAME=VALUES"),
        ("lr=1..0.1:log3", "needs A <= B"),
    ] {
        let e = Axis::parse_arg(arg).expect_err(arg).to_string();
        assert!(e.contains(expected), "{arg}: {e}");
    }
    let spec = StudySpec {
        sweep: Some(Sweep {
            axes: vec![Axis::Depth(vec![2]), Axis::Depth(vec![4])],
            ..Sweep::default()
        }),
        ..StudySpec::default()
    };
    let e = spec.validate().expect_err("duplicate axis").to_string();
    assert!(
        e.contains("'sweep.depth'") && e.contains("given twice"),
        "{e}"
    );
}

/// A study file's sweep section: values as a list or a range, written back as a list.
#[test]
fn study_files_carry_the_sweep() {
    let text = r#"{"data": "bundled:iris", "target": "species",
        "sweep": {"axes": [{"axis": "depth", "values": "1..4:x2"},
                           {"axis": "lr", "values": [0.001, 0.01]}],
                  "rule": {"loss_fraction": 0.25}}}"#;
    let spec = StudySpec::from_json(text, "s.json").expect("parses");
    let sweep = spec.sweep.as_ref().expect("sweep");
    assert_eq!(sweep.axes[0], Axis::Depth(vec![1, 2, 4]));
    assert_eq!(sweep.axes[1], Axis::Lr(vec![0.001, 0.01]));
    assert_eq!(sweep.rule.loss_fraction, 0.25);
    assert_eq!(spec.points().len(), 6);
    assert_eq!(
        spec.network_count(),
        6 * spec.initializers.len() * spec.repeats
    );
    let again = StudySpec::from_json(&spec.to_json(), "again.json").expect("round trip");
    assert_eq!(again, spec);
    let bad = r#"{"sweep": {"axes": [{"axis": "depth", "values": [0]}]}}"#;
    let e = StudySpec::from_json(bad, "bad.json")
        .expect_err("depth 0")
        .to_string();
    assert!(e.contains("bad.json") && e.contains("'depth'"), "{e}");
}
