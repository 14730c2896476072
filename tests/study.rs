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
    assert!(text.contains("\"repeats\": 4") && !text.contains("\"seeds\""));
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
