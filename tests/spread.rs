//! The report's "Where the spread comes from": the split/seed decomposition under `splits:S`,
//! the confounding note under `splits` and folds, nothing under `seeds`. Hand-built results, so
//! every number is known; references from scipy 1.17 (`stats.f_oneway`) and numpy.

use initlab::report::{Spread, analyze, render};
use initlab::study::{RepeatMode, RunResult, StudyResult, StudySpec, summarize};
use initlab::train::EpochMetrics;

/// A finished (or, with `None`, diverged) run whose last validation loss is `last`.
fn run(init: &str, repeat: usize, last: Option<f64>) -> RunResult {
    let epoch = |e: usize, loss: f64| EpochMetrics {
        epoch: e,
        train_loss: loss,
        val_loss: loss,
        val_accuracy: Some(0.9),
        val_r2: None,
    };
    RunResult {
        initializer: init.into(),
        repeat,
        diverged: last.is_none(),
        diverged_epoch: last.is_none().then_some(1),
        epochs: match last {
            Some(l) => vec![epoch(0, 1.1), epoch(1, l)],
            None => vec![epoch(0, 1.1)],
        },
        lsuv: None,
        diagnostics: None,
    }
}

/// Four repeats of three initializers on iris under `mode`, with these final losses per repeat.
fn result(mode: RepeatMode) -> StudyResult {
    let arms: [(&str, [Option<f64>; 4]); 3] = [
        // Split 0 (repeats 0, 2): 0.10, 0.12; split 1 (repeats 1, 3): 0.20, 0.22.
        (
            "xavier-normal",
            [Some(0.10), Some(0.20), Some(0.12), Some(0.22)],
        ),
        // The splits differ less than the seeds: a negative estimate.
        (
            "kaiming-normal",
            [Some(0.30), Some(0.31), Some(0.36), Some(0.33)],
        ),
        // Repeat 1 diverged: split 1 keeps one finished repeat.
        ("normal:100", [Some(0.50), None, Some(0.52), Some(0.55)]),
    ];
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        initializers: arms.iter().map(|a| a.0.parse().expect("init")).collect(),
        repeats: 4,
        repeat_mode: mode,
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    let table = initlab::data::bundled::Bundled::by_name("iris")
        .expect("iris")
        .load()
        .expect("loads");
    let data = initlab::data::prepare(&table, &spec.prepare, 0).expect("prepares");
    let runs: Vec<RunResult> = arms
        .iter()
        .flat_map(|(init, finals)| (0..4).map(move |r| run(init, r, finals[r])))
        .collect();
    StudyResult {
        summary: summarize(&spec.initializer_names(), &runs),
        spec,
        data: data.summary,
        runs,
        environment: initlab::study::Environment::current(1),
        wall_seconds: 0.0,
        completed: true,
        verdict: None,
    }
}

const HEADING: &str = "Where the spread comes from";

#[test]
fn crossed_splits_divide_the_variance_per_initializer() {
    let r = result(RepeatMode::CrossedSplits(2));
    let a = analyze(&r);
    let Spread::Crossed { splits, rows } = &a.spread else {
        panic!("splits:2 with 4 repeats decomposes: {:?}", a.spread);
    };
    assert_eq!(*splits, 2);
    let names: Vec<&str> = rows.iter().map(|r| r.initializer.as_str()).collect();
    assert_eq!(names, ["xavier-normal", "kaiming-normal", "normal:100"]);
    // stats.f_oneway([0.10, 0.12], [0.20, 0.22]): F = 50, p = 0.019419324309079805;
    // MSB 0.01, MSW 0.0002, n0 2: split 0.0049, seed 0.0002, share 0.0049 / 0.0051.
    let x = rows[0].anova.as_ref().expect("xavier decomposes");
    assert!((x.f - 50.0).abs() < 1e-9 && (x.p - 0.019419324309079805).abs() < 1e-12);
    assert!((x.var_between - 0.0049).abs() < 1e-12 && (x.var_within - 0.0002).abs() < 1e-12);
    assert!(!x.truncated);
    // f_oneway([0.30, 0.36], [0.31, 0.33]): F = 0.1, p = 0.781782109764008; (MSB - MSW) / 2
    // = -0.00045, set to 0.
    let k = rows[1].anova.as_ref().expect("kaiming decomposes");
    assert!(k.truncated && k.var_between == 0.0, "{k:?}");
    assert!((k.p - 0.781782109764008).abs() < 1e-12);
    let why = rows[2]
        .anova
        .as_ref()
        .expect_err("a split with one finished repeat");
    assert!(why.contains("split 1 has 1 finished repeat"), "{why}");

    let finding = a
        .findings
        .iter()
        .find(|f| f.contains("accounts for"))
        .expect("a finding on the split's share");
    assert!(
        finding.contains("96% of xavier-normal's variance")
            && finding.contains("initialization for 4%")
            && finding.contains("p = 0.019")
            && finding.contains("for kaiming-normal it is 0%"),
        "{finding}"
    );
    let out = render(&r).expect("renders");
    for (format, text) in [("markdown", &out.markdown), ("html", &out.html)] {
        for needle in [
            HEADING,
            "96%",
            "0 (negative estimate)",
            "F = 50.0, p = 0.019",
            "is set to 0",
            "repeat r uses split r mod 2",
        ] {
            assert!(text.contains(needle), "{format} lacks {needle}");
        }
        assert!(!text.contains("confounded"), "{format}");
    }
}

/// Grouping is by split (repeat mod S), not by consecutive repeats: grouped as (0, 1), (2, 3)
/// xavier-normal's split share would be 0 (f_oneway([0.10, 0.20], [0.12, 0.22]) has F = 0.08).
#[test]
fn the_split_of_a_repeat_is_its_number_mod_s() {
    let r = result(RepeatMode::CrossedSplits(2));
    let Spread::Crossed { rows, .. } = analyze(&r).spread else {
        panic!("decomposes");
    };
    let share = rows[0].anova.as_ref().expect("ok").share_between();
    assert!(
        share.is_some_and(|s| (s - 0.0049 / 0.0051).abs() < 1e-12),
        "{share:?}"
    );
}

#[test]
fn confounded_designs_say_so_and_how_to_separate_them() {
    for mode in [
        RepeatMode::Splits,
        RepeatMode::Folds(4),
        RepeatMode::CrossedSplits(4),
    ] {
        let r = result(mode);
        assert_eq!(analyze(&r).spread, Spread::Confounded, "{mode}");
        let out = render(&r).expect("renders");
        for text in [&out.markdown, &out.html] {
            assert!(text.contains(HEADING), "{mode}");
            assert!(text.contains("confounded"), "{mode}");
            assert!(
                text.contains("--repeat-mode splits:2 with --repeats 4"),
                "{mode}"
            );
        }
        assert!(
            !analyze(&r)
                .findings
                .iter()
                .any(|f| f.contains("accounts for"))
        );
    }
}

#[test]
fn one_split_has_nothing_to_divide() {
    for mode in [RepeatMode::Seeds, RepeatMode::CrossedSplits(1)] {
        let r = result(mode);
        assert_eq!(analyze(&r).spread, Spread::DrawOnly, "{mode}");
        let out = render(&r).expect("renders");
        assert!(!out.markdown.contains(HEADING) && !out.html.contains(HEADING));
        assert!(
            out.markdown.contains("do not cover the choice of split"),
            "{mode}"
        );
    }
}
