//! CSV loading and preparation: real-file quirks, typing, missing values, encoding, split, errors.

use std::path::PathBuf;

use initlab::data::bundled::BUNDLED;
use initlab::data::{
    ColumnData, ColumnKind, DataError, MissingPolicy, PrepareOptions, Targets, Task, TaskChoice,
    guess_target, load_csv, parse_csv, prepare,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> Result<initlab::data::Table, DataError> {
    load_csv(&fixture(name), &mut |_| {})
}

fn opts(target: &str) -> PrepareOptions {
    PrepareOptions {
        target: target.into(),
        ..PrepareOptions::default()
    }
}

fn numeric(t: &initlab::data::Table, name: &str) -> Vec<f32> {
    match &t.columns[t.column_index(name).expect("column")].data {
        ColumnData::Numeric(v) => v.clone(),
        other => panic!("{name} is not numeric: {other:?}"),
    }
}

#[test]
fn semicolon_file_with_decimal_commas_quotes_and_embedded_newline() {
    let t = load("semicolon_decimal_comma.csv").expect("loads");
    assert_eq!(t.delimiter, b';');
    assert_eq!(t.n_rows, 6);
    assert_eq!(numeric(&t, "height"), vec![1.5, 2.25, 3.0, 4.75, 5.5, 6.25]);
    let city = &t.columns[t.column_index("city").expect("city")];
    assert_eq!(city.cell_text(0), "Paris; France");
    assert_eq!(city.cell_text(2), "Nice\nCote");
    // The record after the embedded newline starts on line 6 of the file.
    assert_eq!(t.row_lines[3], 6);
}

#[test]
fn bom_crlf_and_trailing_blank_lines() {
    let t = load("bom_crlf.csv").expect("loads");
    assert_eq!(t.column_names(), vec!["a", "b", "target"]);
    assert_eq!(t.n_rows, 4);
    assert_eq!(numeric(&t, "b"), vec![2.0, 4.0, 6.0, 8.0]);
    assert_eq!(t.columns[2].cell_text(1), "y");
}

#[test]
fn tab_separated() {
    let t = load("tabs.csv").expect("loads");
    assert_eq!(t.delimiter, b'\t');
    assert_eq!(numeric(&t, "x"), vec![0.5, 1.5, 2.5, 3.5]);
}

#[test]
fn types_duplicates_and_reasons() {
    let t = load("duplicates_and_types.csv").expect("loads");
    assert_eq!(
        t.column_names(),
        vec![
            "id", "value", "value_2", "when", "const", "kind", "comment", "score"
        ]
    );
    let kind = |n: &str| t.columns[t.column_index(n).expect("col")].kind.clone();
    assert_eq!(kind("value"), ColumnKind::Numeric);
    assert_eq!(kind("kind"), ColumnKind::Categorical { levels: 2 });
    match kind("when") {
        ColumnKind::Text { reason } => assert!(reason.contains("dates"), "{reason}"),
        k => panic!("when: {k:?}"),
    }
    match kind("comment") {
        ColumnKind::Text { reason } => assert!(
            reason.contains("identifier") || reason.contains("free text"),
            "{reason}"
        ),
        k => panic!("comment: {k:?}"),
    }
}

#[test]
fn regression_target_in_the_middle_with_one_hot_and_constant_column() {
    let t = load("duplicates_and_types.csv").expect("loads");
    let p = prepare(
        &t,
        &PrepareOptions {
            target: "value_2".into(),
            val_fraction: 0.25,
            ..opts("")
        },
        3,
    )
    .expect("prepares");
    assert_eq!(p.task, Task::Regression);
    // id, value, const (numeric) + kind (2 one-hot) + score; `when` and `comment` excluded.
    assert_eq!(p.n_inputs, 6);
    assert_eq!(p.summary.excluded.len(), 2);
    assert!(p.input_names.contains(&"kind=small".to_owned()));
    // The constant column standardises to exactly 0, never NaN.
    let c = p
        .input_names
        .iter()
        .position(|n| n == "const")
        .expect("const");
    assert!(p.x_train.chunks(p.n_inputs).all(|r| r[c] == 0.0));
    assert!(p.x_val.chunks(p.n_inputs).all(|r| r[c] == 0.0));
    // One-hot rows hold exactly one 1.
    let k = p
        .input_names
        .iter()
        .position(|n| n == "kind=small")
        .expect("kind");
    assert!(p.x_train.chunks(p.n_inputs).all(|r| r[k] + r[k + 1] == 1.0));
    assert_eq!((p.n_train(), p.n_val()), (6, 2));
}

#[test]
fn standardisation_uses_training_rows_only() {
    let t = load("duplicates_and_types.csv").expect("loads");
    let p = prepare(
        &t,
        &PrepareOptions {
            target: "kind".into(),
            val_fraction: 0.25,
            ..opts("")
        },
        1,
    )
    .expect("prepares");
    let d = p.n_inputs;
    let col = p
        .input_names
        .iter()
        .position(|n| n == "value")
        .expect("value");
    let train: Vec<f32> = p.x_train.chunks(d).map(|r| r[col]).collect();
    let mean = train.iter().sum::<f32>() / train.len() as f32;
    let var = train.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / train.len() as f32;
    assert!(mean.abs() < 1e-5, "training mean {mean}");
    assert!((var - 1.0).abs() < 1e-4, "training variance {var}");
    // Validation rows use the training rows' mean and std, not their own.
    let raw = numeric(&t, "value");
    let (m, s) = {
        let v: Vec<f64> = p.train_rows.iter().map(|&r| raw[r] as f64).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (
            m,
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt(),
        )
    };
    for (i, &r) in p.val_rows.iter().enumerate() {
        let expected = ((raw[r] as f64 - m) / s) as f32;
        assert!((p.x_val[i * d + col] - expected).abs() < 1e-5, "row {r}");
    }
}

#[test]
fn missing_values_drop_and_impute_with_counts() {
    let t = load("missing.csv").expect("loads");
    assert_eq!(t.columns[0].missing, 1); // N/A
    assert_eq!(t.columns[1].missing, 3); // NA, nan, inf
    assert_eq!(t.columns[2].missing, 2); // empty, null
    assert_eq!(t.columns[3].missing, 1); // ?

    let dropped = prepare(
        &t,
        &PrepareOptions {
            missing: MissingPolicy::DropRow,
            ..opts("y")
        },
        0,
    )
    .expect("drop");
    assert_eq!(dropped.summary.rows_dropped_missing_target, 1);
    assert_eq!(dropped.summary.rows_dropped_missing_features, 6);
    assert_eq!(dropped.summary.rows_used, 3);
    assert_eq!(dropped.summary.cells_imputed, 0);

    let imputed = prepare(
        &t,
        &PrepareOptions {
            missing: MissingPolicy::ImputeMean,
            ..opts("y")
        },
        0,
    )
    .expect("impute");
    assert_eq!(imputed.summary.rows_used, 9);
    assert_eq!(imputed.summary.cells_imputed, 6);
    assert!(
        imputed
            .x_train
            .iter()
            .chain(&imputed.x_val)
            .all(|v| v.is_finite())
    );
    assert!(
        dropped
            .x_train
            .iter()
            .chain(&dropped.x_val)
            .all(|v| v.is_finite())
    );
}

/// The mean of the present cells of `rows`, computed here by hand.
fn mean_of(raw: &[f32], rows: &[usize]) -> f64 {
    let v: Vec<f64> = rows
        .iter()
        .map(|&r| raw[r] as f64)
        .filter(|v| !v.is_nan())
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn imputation_fills_the_training_mean_and_the_training_mode() {
    let t = load("missing.csv").expect("loads");
    let f2 = numeric(&t, "f2");
    let impute = |seed| {
        let o = PrepareOptions {
            missing: MissingPolicy::ImputeMean,
            ..opts("y")
        };
        prepare(&t, &o, seed).expect("impute")
    };
    // A seed whose training mean of f2 differs from the mean over all used rows, so that a fill
    // from all rows would be caught.
    let (p, train_mean) = (0..20)
        .map(impute)
        .find_map(|p| {
            let used: Vec<usize> = p.train_rows.iter().chain(&p.val_rows).copied().collect();
            let train_mean = mean_of(&f2, &p.train_rows);
            ((mean_of(&f2, &used) - train_mean).abs() > 1.0).then_some((p, train_mean))
        })
        .expect("a seed that tells the means apart");
    let d = p.n_inputs;
    let col = p.input_names.iter().position(|n| n == "f2").expect("f2");
    // Undo whatever standardisation was applied, as read off two present training cells, so the
    // check does not assume how the column was standardised.
    let present: Vec<(f64, f64)> = (p.train_rows.iter().enumerate())
        .filter(|&(_, &r)| !f2[r].is_nan())
        .map(|(i, &r)| (f2[r] as f64, p.x_train[i * d + col] as f64))
        .collect();
    let ((v1, x1), (v2, x2)) = (present[0], present[1]);
    let scale = (v1 - v2) / (x1 - x2);
    let unstandardise = |x: f32| v1 + (x as f64 - x1) * scale;
    let mut filled = 0;
    for (rows, x) in [(&p.train_rows, &p.x_train), (&p.val_rows, &p.x_val)] {
        for (i, &r) in rows.iter().enumerate().filter(|&(_, &r)| f2[r].is_nan()) {
            let value = unstandardise(x[i * d + col]);
            assert!(
                (value - train_mean).abs() < 1e-3,
                "row {r}: filled {value}, training mean {train_mean}"
            );
            filled += 1;
        }
    }
    assert_eq!(filled, 3, "NA, nan and inf in f2");

    // The colour fill is the most frequent colour of the training rows.
    let color = &t.columns[t.column_index("color").expect("color")];
    let mut counts = std::collections::BTreeMap::new();
    for &r in p.train_rows.iter().filter(|&&r| !color.is_missing(r)) {
        *counts.entry(color.cell_text(r)).or_insert(0usize) += 1;
    }
    let top = counts.values().max().expect("colours");
    let modes: Vec<&String> = counts
        .iter()
        .filter(|(_, n)| *n == top)
        .map(|(c, _)| c)
        .collect();
    for (rows, x) in [(&p.train_rows, &p.x_train), (&p.val_rows, &p.x_val)] {
        for (i, &r) in rows
            .iter()
            .enumerate()
            .filter(|&(_, &r)| color.is_missing(r))
        {
            let hot: Vec<&str> = p
                .input_names
                .iter()
                .enumerate()
                .filter(|(k, n)| n.starts_with("color=") && x[i * d + k] == 1.0)
                .map(|(_, n)| &n["color=".len()..])
                .collect();
            assert_eq!(hot.len(), 1, "row {r}: {hot:?}");
            assert!(
                modes.iter().any(|m| m.as_str() == hot[0]),
                "row {r}: {hot:?} vs {modes:?}"
            );
        }
    }
}

/// `c` holds `rare` on row 7 only; `a` and `b` elsewhere.
fn rare_level_table() -> initlab::data::Table {
    let mut csv = String::from("x,c,y\n");
    for i in 0..20 {
        let c = match i {
            7 => "rare",
            _ if i % 3 == 0 => "a",
            _ => "b",
        };
        csv += &format!("{i},{c},{}\n", i % 2);
    }
    parse_csv(csv.as_bytes(), "rare.csv", &mut |_| {}).expect("loads")
}

#[test]
fn a_category_absent_from_training_gets_no_input() {
    let t = rare_level_table();
    let (mut in_val, mut in_train) = (false, false);
    for seed in 0..40 {
        let p = prepare(&t, &opts("y"), seed).expect("prepares");
        let rare = p.input_names.iter().any(|n| n == "c=rare");
        if let Some(i) = p.val_rows.iter().position(|&r| r == 7) {
            in_val = true;
            // Only training levels get a slot: x, c=a, c=b; the rare cell encodes as all zeros.
            assert!(!rare, "seed {seed}: {:?}", p.input_names);
            assert_eq!(p.n_inputs, 3, "seed {seed}");
            assert_eq!(&p.x_val[i * 3 + 1..i * 3 + 3], &[0.0, 0.0], "seed {seed}");
            assert_eq!(p.summary.cells_unseen_level, 1, "seed {seed}");
            assert!(
                p.summary
                    .describe()
                    .contains("1 validation cells hold a category")
            );
        } else {
            in_train = true;
            assert!(rare, "seed {seed}: {:?}", p.input_names);
            assert_eq!((p.n_inputs, p.summary.cells_unseen_level), (4, 0));
        }
    }
    assert!(in_val && in_train, "the seeds put row 7 on both sides");
}

#[test]
fn guess_target_prefers_target_names_then_the_last_column() {
    let table = |csv: &str| parse_csv(csv.as_bytes(), "t.csv", &mut |_| {}).expect("loads");
    let g = guess_target(&table(
        "species,bill,year\nAdelie,39.1,2007\nGentoo,46.1,2008\n",
    ))
    .expect("a guess");
    assert_eq!(g.column, "species");
    assert_eq!(g.rule, "named like a target: 'species'");
    let g = guess_target(&table("a,b,c\n1,2,3\n4,5,6\n")).expect("a guess");
    assert_eq!(
        (g.column.as_str(), g.rule.as_str()),
        ("c", "the last column")
    );
    // Case, spaces and separators do not matter; generic names win over dataset names.
    let g = guess_target(&table("species, Class_Label ,x\nA,1,2\nB,0,3\n")).expect("a guess");
    assert_eq!(g.column, "Class_Label");
    let g = guess_target(&table("x,TARGET,y\n1,2,3\n4,5,6\n")).expect("a guess");
    assert_eq!(g.column, "TARGET");
    // A column with no value at all cannot be the target.
    let g = guess_target(&table("label,x,z\n,1,2\nNA,3,4\n")).expect("a guess");
    assert_eq!(g.column, "z");
    for (b, target) in
        BUNDLED
            .iter()
            .zip(["digit", "species", "cultivar", "diagnosis", "progression"])
    {
        let g = guess_target(&b.load().expect("loads")).expect("a guess");
        assert_eq!((b.name, g.column.as_str()), (b.name, target));
        assert_eq!(g.column, b.target, "{}", b.name);
    }
}

#[test]
fn task_inference_and_override() {
    let t = load("duplicates_and_types.csv").expect("loads");
    assert_eq!(
        prepare(&t, &opts("kind"), 0).expect("kind").task,
        Task::Classification
    );
    assert_eq!(
        prepare(&t, &opts("score"), 0).expect("score").task,
        Task::Regression
    );
    let forced = prepare(
        &t,
        &PrepareOptions {
            task: TaskChoice::Classification,
            ..opts("const")
        },
        0,
    );
    assert!(
        matches!(forced, Err(DataError::OneClass { .. })),
        "{forced:?}"
    );
    let text_reg = prepare(
        &t,
        &PrepareOptions {
            task: TaskChoice::Regression,
            ..opts("kind")
        },
        0,
    );
    assert!(
        matches!(text_reg, Err(DataError::TextRegressionTarget { .. })),
        "{text_reg:?}"
    );
}

#[test]
fn stratified_split_is_seeded_and_keeps_class_shares() {
    let table = BUNDLED[0].load().expect("digits");
    let a = prepare(&table, &opts("digit"), 7).expect("a");
    let b = prepare(&table, &opts("digit"), 7).expect("b");
    let c = prepare(&table, &opts("digit"), 8).expect("c");
    assert_eq!(a, b);
    assert_ne!(a.x_val, c.x_val);
    assert_eq!((a.n_train(), a.n_val()), (1437, 360));
    let Targets::Classes(val) = &a.y_val else {
        panic!("classes")
    };
    for k in 0..10 {
        let n = val.iter().filter(|&&y| y == k).count();
        assert!((34..=38).contains(&n), "class {k}: {n} validation rows");
    }
}

#[test]
fn errors_name_file_line_and_column() {
    let msg = |name: &str| load(name).expect_err(name).to_string();
    assert_eq!(msg("empty.csv"), "empty.csv: the file is empty");
    assert_eq!(
        msg("header_only.csv"),
        "header_only.csv: the file has a header but no data rows"
    );
    assert_eq!(
        msg("ragged.csv"),
        "ragged.csv: line 3: 2 fields, but the header has 3"
    );
    assert!(
        msg("binary.csv").starts_with("binary.csv: line 1: not UTF-8 text"),
        "{}",
        msg("binary.csv")
    );
    assert_eq!(
        msg("stray_word.csv"),
        "stray_word.csv: line 10, column 'b': 'oops' is not a number, but the rest of the column is numeric"
    );
    let t = load("one_class.csv").expect("loads");
    let e = prepare(&t, &opts("y"), 0)
        .expect_err("one class")
        .to_string();
    assert!(
        e.contains("one_class.csv") && e.contains("'y'") && e.contains("1 class"),
        "{e}"
    );
    let e = prepare(&t, &opts("nope"), 0)
        .expect_err("unknown")
        .to_string();
    assert_eq!(
        e,
        "one_class.csv: no column named 'nope' (columns: a, b, y)"
    );
    // Text in another encoding: the line of the first byte that is not UTF-8, not line 1.
    assert!(
        msg("latin1_line3.csv").starts_with("latin1_line3.csv: line 3: not UTF-8 text"),
        "{}",
        msg("latin1_line3.csv")
    );
    for m in ["empty.csv", "ragged.csv", "binary.csv", "stray_word.csv"] {
        assert!(!msg(m).contains('\n'), "one line: {m}");
    }
}

#[test]
fn bundled_datasets_load_with_expected_shapes() {
    // (rows, inputs, classes or 0 for regression)
    let expected = [
        ("digits", 1797, 64, 10),
        ("iris", 150, 4, 3),
        ("wine", 178, 13, 3),
        ("breast_cancer", 569, 30, 2),
        ("diabetes", 442, 10, 0),
    ];
    for (b, (name, rows, inputs, classes)) in BUNDLED.iter().zip(expected) {
        assert_eq!(b.name, name);
        let t = b.load().expect(name);
        assert_eq!(t.n_rows, rows, "{name}");
        let p = prepare(&t, &opts(b.target), 0).expect(name);
        assert_eq!(p.n_inputs, inputs, "{name}");
        assert_eq!(p.classes.len(), classes, "{name}");
        assert_eq!(p.task == Task::Regression, classes == 0, "{name}");
        assert_eq!(p.summary.rows_used, rows, "{name}");
    }
}

#[test]
fn progress_is_reported_and_ends_complete() {
    let mut csv = String::from("a,b,y\n");
    for i in 0..50_000 {
        csv += &format!("{i},{},{}\n", i * 2, i % 3);
    }
    let mut seen = Vec::new();
    let t = parse_csv(csv.as_bytes(), "big.csv", &mut |p| seen.push(p)).expect("loads");
    assert_eq!(t.n_rows, 50_000);
    assert!(seen.len() >= 3, "{} progress reports", seen.len());
    let last = seen.last().expect("a report");
    assert_eq!((last.bytes_done, last.rows), (csv.len() as u64, 50_000));
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const VALID: &str = "a;b;name;y\n1,5;2;\"x;y\";0\n2;NA;z;1\n3;4;\"multi\nline\";0\n4;5;z;1\n";

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(t) = parse_csv(&bytes, "fuzz.csv", &mut |_| {}) {
                let _ = prepare(&t, &PrepareOptions { target: t.columns[0].name.clone(), ..PrepareOptions::default() }, 0);
            }
        }

        #[test]
        fn mutated_csv_never_panics(edits in proptest::collection::vec((0usize..200, any::<u8>(), 0u8..3), 1..12)) {
            let mut bytes = VALID.as_bytes().to_vec();
            for (pos, byte, op) in edits {
                let pos = pos % (bytes.len() + 1);
                match op {
                    0 => bytes.insert(pos, byte),
                    1 if pos < bytes.len() => { bytes.remove(pos); }
                    _ if pos < bytes.len() => bytes[pos] = byte,
                    _ => {}
                }
            }
            if let Ok(t) = parse_csv(&bytes, "fuzz.csv", &mut |_| {}) {
                for c in &t.columns {
                    let r = prepare(&t, &PrepareOptions { target: c.name.clone(), missing: MissingPolicy::ImputeMean, ..PrepareOptions::default() }, 1);
                    if let Ok(p) = r {
                        prop_assert!(p.x_train.iter().chain(&p.x_val).all(|v| v.is_finite()));
                    }
                }
            }
        }
    }
}
