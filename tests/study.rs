//! The study as a value: built-in initializer lists, field limits, old study files, the memory
//! estimate.

use initlab::study::{
    BENCHMARK_EIGHT, CLASSIC_FIVE, Limits, PRESETS, RunResult, StudyResult, StudySpec, builtin,
    estimate_memory,
};

/// Defect: built-in lists were parsed with `filter_map(parse().ok())`, so a misspelled name
/// vanished silently. Every list is parsed by `builtin`, which fails loudly on a typo.
#[test]
fn every_builtin_initializer_list_parses_completely() {
    for (name, list) in PRESETS {
        assert_eq!(builtin(list).len(), list.len(), "preset {name}");
    }
    assert_eq!(builtin(&CLASSIC_FIVE).len(), 5);
    assert_eq!(builtin(&BENCHMARK_EIGHT).len(), 8);
    assert_eq!(StudySpec::default().initializers.len(), CLASSIC_FIVE.len());
    let typo = std::panic::catch_unwind(|| builtin(&["xavier-normal", "kaiming-nromal"]));
    assert!(typo.is_err(), "a typo in a built-in list must not vanish");
}

#[test]
fn limits_are_what_validate_enforces() {
    let ok = StudySpec::default();
    assert!(ok.validate().is_ok());
    type Break = Box<dyn Fn(&mut StudySpec)>;
    let cases: Vec<(&str, Break)> = vec![
        (
            "repeats",
            Box::new(|s| s.repeats = *Limits::REPEATS.end() + 1),
        ),
        ("repeats", Box::new(|s| s.repeats = 0)),
        (
            "epochs",
            Box::new(|s| s.train.epochs = *Limits::EPOCHS.end() + 1),
        ),
        (
            "hidden",
            Box::new(|s| s.model.hidden = vec![*Limits::WIDTH.end() + 1]),
        ),
        ("hidden", Box::new(|s| s.model.hidden = vec![8; 201])),
        ("lr", Box::new(|s| s.train.lr = -1.0)),
        ("lr", Box::new(|s| s.train.lr = f64::NAN)),
        ("batch_size", Box::new(|s| s.train.batch_size = 0)),
        ("momentum", Box::new(|s| s.train.optimizer.momentum = 1.5)),
        ("val_fraction", Box::new(|s| s.prepare.val_fraction = 1.0)),
    ];
    for (field, break_it) in cases {
        let mut s = StudySpec::default();
        break_it(&mut s);
        let e = s.validate().expect_err(field).to_string();
        assert!(e.contains(&format!("'{field}'")), "{field}: {e}");
    }
    // The largest values of every limit are accepted.
    let mut s = StudySpec {
        repeats: *Limits::REPEATS.end(),
        ..StudySpec::default()
    };
    s.train.epochs = *Limits::EPOCHS.end();
    s.model.hidden = vec![*Limits::WIDTH.end()];
    s.train.lr = *Limits::LR.end();
    s.train.batch_size = *Limits::BATCH_SIZE.end();
    assert!(s.validate().is_ok());
}

/// "seed" has one meaning per name now (study seed, number of repeats, repeat index); study and
/// results files written before the rename still open.
#[test]
fn files_written_before_the_repeats_rename_still_open() {
    let spec = StudySpec::from_json(r#"{"seeds": 4, "seed": 9}"#, "old.json").expect("old spec");
    assert_eq!((spec.repeats, spec.seed), (4, 9));
    let text = spec.to_json();
    assert!(text.contains("\"repeats\": 4") && !text.contains("\"seeds\":"));
    let run: RunResult = serde_json::from_str(
        r#"{"initializer": "zeros", "seed": 2, "diverged": false, "epochs": []}"#,
    )
    .expect("old run");
    assert_eq!(run.repeat, 2);
    let manifest = env!("CARGO_MANIFEST_DIR");
    let path = format!("{manifest}/reports/example/results.json");
    let example = std::fs::read_to_string(&path).expect("example results");
    let r = StudyResult::from_json(&example, &path).expect("example results parse");
    assert!(r.runs.iter().any(|run| run.repeat == 1));
    assert!(r.summary.iter().all(|s| s.repeats == r.spec.repeats));
}

#[test]
fn memory_estimate_grows_with_width_and_networks_and_flags_the_impossible() {
    let small = StudySpec::default();
    let e = estimate_memory(&small, 64, 10, 2);
    assert!(e.fits(), "the default study fits: {e}");
    assert!(e.bytes < 100e6, "{e}");
    assert_eq!(e.networks, 15);
    let mut wide = small.clone();
    wide.model.hidden = vec![65_536, 65_536];
    wide.repeats = 10;
    wide.initializers.truncate(2);
    let w = estimate_memory(&wide, 4, 3, 2);
    // 20 networks x 4.3e9 parameters x (4 copies + 2 Adam states) x 4 bytes ~ 2 TB.
    assert!(w.bytes > 1e12, "{w}");
    assert!(w.params_per_network > 4.29e9 && w.params_per_network < 4.3e9);
    let mut twice = wide.clone();
    twice.repeats = 20;
    let t = estimate_memory(&twice, 4, 3, 2);
    assert!((t.bytes / w.bytes - 2.0).abs() < 0.01, "linear in networks");
    if w.available.is_some() {
        assert!(!w.fits());
        assert!(w.to_string().contains("available"), "{w}");
    }
}

fn bundled_table(name: &str) -> initlab::data::Table {
    initlab::data::bundled::Bundled::by_name(name)
        .expect("bundled")
        .load()
        .expect("loads")
}

/// `splits`: every repeat draws its own stratified split (repeat 0 is the study's fixed split),
/// the same for a given study seed every time.
#[test]
fn splits_repeats_draw_their_own_split_deterministically() {
    use initlab::study::{RepeatMode, prepare_repeats};
    let table = bundled_table("iris");
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        repeats: 4,
        repeat_mode: RepeatMode::Splits,
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    let a = prepare_repeats(&spec, &table).expect("prepares");
    let b = prepare_repeats(&spec, &table).expect("prepares");
    assert_eq!(a.len(), 4);
    let fixed = initlab::data::prepare(&table, &spec.prepare, spec.seed).expect("fixed");
    assert_eq!(a[0].val_rows, fixed.val_rows, "repeat 0 is the fixed split");
    for r in 0..4 {
        assert_eq!(a[r].val_rows, b[r].val_rows, "deterministic");
        assert_eq!(a[r].n_val(), fixed.n_val(), "same size");
        for s in 0..r {
            assert_ne!(a[r].val_rows, a[s].val_rows, "repeats {s} and {r} differ");
        }
    }
    spec.seed = 1;
    let c = prepare_repeats(&spec, &table).expect("prepares");
    assert_ne!(
        c[1].val_rows, a[1].val_rows,
        "the study seed keys the splits"
    );
}

/// `folds:5`: five repeats validate every row exactly once; a sixth draws a new partition.
#[test]
fn folds_validate_every_row_exactly_once() {
    use initlab::study::{RepeatMode, prepare_repeats};
    let table = bundled_table("wine");
    let mut spec = StudySpec {
        data: "bundled:wine".into(),
        repeats: 6,
        repeat_mode: "folds:5".parse().expect("mode"),
        ..StudySpec::default()
    };
    spec.prepare.target = "cultivar".into();
    assert_eq!(spec.repeat_mode, RepeatMode::Folds(5));
    let d = prepare_repeats(&spec, &table).expect("prepares");
    let mut seen = vec![0usize; table.n_rows];
    for fold in &d[..5] {
        for &row in &fold.val_rows {
            seen[row] += 1;
        }
        assert_eq!(fold.n_train() + fold.n_val(), table.n_rows);
        let sizes = (fold.n_val() as f64) / table.n_rows as f64;
        assert!((sizes - 0.2).abs() < 0.02, "a fifth of the rows: {sizes}");
    }
    assert!(
        seen.iter().all(|&n| n == 1),
        "every row validated exactly once"
    );
    assert_ne!(d[5].val_rows, d[0].val_rows, "repeat 5 reshuffles");
    for bad in ["folds:1", "folds:x", "halves"] {
        assert!(bad.parse::<RepeatMode>().is_err(), "{bad}");
    }
}

/// Within a repeat every arm shares the split, the batches and the draw: two copies of one
/// initializer give identical histories in each repeat, different ones across repeats; and the
/// numbers do not depend on the thread count.
#[test]
fn arms_of_a_split_repeat_share_its_data_and_threads_change_nothing() {
    use initlab::study::{RepeatMode, RunOptions, run_study_table};
    use std::sync::atomic::AtomicBool;
    let table = bundled_table("iris");
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        repeats: 3,
        repeat_mode: RepeatMode::Splits,
        initializers: builtin(&["xavier-normal", "xavier-normal", "kaiming-normal"]),
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    spec.model.hidden = vec![16];
    spec.train.epochs = 3;
    let run = |threads| {
        run_study_table(
            &spec,
            &table,
            &RunOptions { threads },
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("runs")
    };
    let one = run(1);
    let json = |r: &RunResult| serde_json::to_string(&r.epochs).expect("json");
    for r in 0..3 {
        assert_eq!(
            json(&one.runs[r]),
            json(&one.runs[3 + r]),
            "repeat {r}: same split"
        );
    }
    assert_ne!(json(&one.runs[0]), json(&one.runs[1]), "repeats differ");
    for threads in [2, 3] {
        let other = run(threads);
        assert_eq!(
            serde_json::to_string(&other.runs).expect("json"),
            serde_json::to_string(&one.runs).expect("json"),
            "{threads} threads"
        );
    }
    // A single prepared split cannot stand in for per-repeat data.
    let fixed = initlab::data::prepare(&table, &spec.prepare, spec.seed).expect("data");
    let e = initlab::study::run_study(
        &spec,
        &fixed,
        &RunOptions { threads: 1 },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect_err("refused");
    assert!(e.to_string().contains("repeat_mode"), "{e}");
}

/// New studies vary the split (it dominates on small data); a study file that does not name a
/// mode means `seeds`, what it meant when it was written, so it re-runs to the same numbers.
#[test]
fn new_studies_vary_the_split_and_old_files_keep_seeds() {
    use initlab::study::RepeatMode;
    assert_eq!(StudySpec::default().repeat_mode, RepeatMode::Splits);
    let old = StudySpec::from_json(r#"{"repeats": 4, "seed": 9}"#, "old.json").expect("old");
    assert_eq!(old.repeat_mode, RepeatMode::Seeds);
    let saved = StudySpec::default().to_json();
    assert!(saved.contains(r#""repeat_mode": "splits""#), "{saved}");
    let back = StudySpec::from_json(&saved, "new.json").expect("new");
    assert_eq!(back, StudySpec::default());
    let crossed = StudySpec::from_json(r#"{"repeats": 6, "repeat_mode": "splits:3"}"#, "x.json")
        .expect("crossed");
    assert_eq!(crossed.repeat_mode, RepeatMode::CrossedSplits(3));
    assert!(crossed.to_json().contains(r#""repeat_mode": "splits:3""#));
    // The benchmark is compared with a PyTorch reference trained on one fixed split.
    let bench = initlab::bench::digits_8x3().expect("benchmark");
    assert_eq!(bench.spec.repeat_mode, RepeatMode::Seeds);
}

/// `splits:S` needs 1 <= S <= repeats; the errors are one line and name the field.
#[test]
fn crossed_splits_are_validated() {
    use initlab::study::RepeatMode;
    assert_eq!(
        "splits:3".parse::<RepeatMode>(),
        Ok(RepeatMode::CrossedSplits(3))
    );
    assert_eq!(RepeatMode::CrossedSplits(3).to_string(), "splits:3");
    for bad in ["splits:0", "splits:", "splits:x", "splits:-1"] {
        let e = bad.parse::<RepeatMode>().expect_err(bad);
        assert!(e.contains("splits:S") && !e.contains('\n'), "{bad}: {e}");
    }
    let mut spec = StudySpec {
        repeats: 3,
        repeat_mode: RepeatMode::CrossedSplits(4),
        ..StudySpec::default()
    };
    let e = spec
        .validate()
        .expect_err("more splits than repeats")
        .to_string();
    assert!(
        e.contains("'repeat_mode'") && e.contains("splits:4") && !e.contains('\n'),
        "{e}"
    );
    spec.repeats = 4;
    assert!(spec.validate().is_ok());
    let e = StudySpec::from_json(r#"{"repeat_mode": "splits:0"}"#, "s.json").expect_err("S = 0");
    assert!(
        e.to_string().contains("s.json") && e.to_string().contains("splits:S"),
        "{e}"
    );
}

/// `splits:S`: repeat r trains on split r mod S, and split s is the one `splits` gives repeat s,
/// so a repeat whose split index equals its own number trains exactly as under `splits`.
#[test]
fn crossed_splits_share_splits_and_match_plain_splits() {
    use initlab::study::{RepeatMode, RunOptions, prepare_repeats, run_study_table};
    use std::sync::atomic::AtomicBool;
    let table = bundled_table("iris");
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        repeats: 4,
        repeat_mode: RepeatMode::CrossedSplits(2),
        initializers: builtin(&["xavier-normal", "kaiming-normal"]),
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    spec.model.hidden = vec![16];
    spec.train.epochs = 3;
    let crossed = prepare_repeats(&spec, &table).expect("prepares");
    assert_eq!(crossed.len(), 2, "one dataset per split");
    let plain_spec = StudySpec {
        repeat_mode: RepeatMode::Splits,
        ..spec.clone()
    };
    let plain = prepare_repeats(&plain_spec, &table).expect("prepares");
    assert_eq!(crossed[0].val_rows, plain[0].val_rows);
    assert_eq!(crossed[1].val_rows, plain[1].val_rows);
    assert_ne!(crossed[0].val_rows, crossed[1].val_rows);
    let run = |s: &StudySpec| {
        run_study_table(
            s,
            &table,
            &RunOptions { threads: 2 },
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("runs")
    };
    let (c, p) = (run(&spec), run(&plain_spec));
    let json = |r: &RunResult| serde_json::to_string(&r.epochs).expect("json");
    for (i, (a, b)) in c.runs.iter().zip(&p.runs).enumerate() {
        let same_split = a.repeat < 2;
        assert_eq!(
            json(a) == json(b),
            same_split,
            "run {i} (repeat {})",
            a.repeat
        );
    }
    // Repeats 0 and 2 share split 0, the study's fixed split, but not their draw: they train
    // exactly as repeats 0 and 2 of `seeds` do.
    assert_ne!(json(&c.runs[0]), json(&c.runs[2]));
    let seeds = run(&StudySpec {
        repeat_mode: RepeatMode::Seeds,
        ..spec.clone()
    });
    for (a, b) in c.runs.iter().zip(&seeds.runs) {
        let on_split_0 = a.repeat % 2 == 0;
        assert_eq!(json(a) == json(b), on_split_0, "repeat {}", a.repeat);
    }
    // With S = repeats, splits:S is splits, bit for bit.
    let full = StudySpec {
        repeat_mode: RepeatMode::CrossedSplits(4),
        ..spec.clone()
    };
    let f = run(&full);
    assert_eq!(
        serde_json::to_string(&f.runs).expect("json"),
        serde_json::to_string(&p.runs).expect("json")
    );
}

/// Defect (found with `splits` as the default): repeats with their own split train as separate
/// groups, and a thread used to train its groups one after the other, so a study stopped early
/// had its first repeat far along and the others at epoch 0, and the summary mixed them. The
/// groups of a thread now advance one epoch each in turn.
#[test]
fn a_stopped_study_has_every_repeat_at_about_the_same_epoch() {
    use initlab::study::{RepeatMode, RunOptions, run_study_table};
    use initlab::train::TrainEvent;
    use std::sync::atomic::{AtomicBool, Ordering};
    let table = bundled_table("iris");
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        repeats: 3,
        repeat_mode: RepeatMode::Splits,
        initializers: builtin(&["xavier-normal", "kaiming-normal"]),
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    spec.model.hidden = vec![8];
    spec.train.epochs = 6;
    let cancel = AtomicBool::new(false);
    let emit = |e: TrainEvent| {
        if let TrainEvent::Epoch { metrics, .. } = e
            && metrics.epoch == 2
        {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let r =
        run_study_table(&spec, &table, &RunOptions { threads: 1 }, &emit, &cancel).expect("runs");
    let last: Vec<usize> = r
        .runs
        .iter()
        .map(|run| run.epochs.last().map_or(0, |e| e.epoch))
        .collect();
    let (lo, hi) = (
        last.iter().copied().min().unwrap_or(0),
        last.iter().copied().max().unwrap_or(0),
    );
    assert!(!r.completed);
    assert!(lo >= 1 && hi - lo <= 1, "last epoch per run: {last:?}");
}
