//! The report: self-contained HTML, inert user strings, complete curves, correct statistics,
//! safe writing.

mod common;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use initlab::data::{TaskChoice, load_csv, prepare};
use initlab::report::{default_dir, escape, render, write_report};
use initlab::stats::{ci95, mean, std_dev, student_t_cdf, t_quantile, welch};
use initlab::study::{RepeatMode, RunOptions, StudyResult, StudySpec, run_study};
use scraper::{Html, Selector};

const EVIL: &str = "<script>alert(1)</script>";

fn tmp(name: &str) -> PathBuf {
    common::scratch("report", name)
}

/// A small study on a CSV whose file, column and class names are hostile.
fn hostile_result() -> StudyResult {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = tmp(&format!(
        "hostile-data-{}",
        CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("<b>data<i>|*x*.csv");
    let mut csv = format!("\"{EVIL}\",\"| =cmd() | [x](http://evil)\",\"{EVIL} **label**\"\n");
    for i in 0..60 {
        let class = if i % 2 == 0 {
            EVIL.to_owned()
        } else {
            "=HYPERLINK(\"http://evil\")|*".to_owned()
        };
        csv += &format!(
            "{},{},\"{}\"\n",
            i as f32 * 0.1,
            (i % 7) as f32,
            class.replace('"', "\"\"")
        );
    }
    std::fs::write(&path, csv).expect("write");
    let table = load_csv(&path, &mut |_| {}).expect("loads");
    let mut spec = StudySpec {
        data: path.display().to_string(),
        initializers: ["xavier-uniform", "zeros", "normal:1"]
            .iter()
            .map(|s| s.parse().expect("init"))
            .collect(),
        repeats: 2,
        repeat_mode: RepeatMode::Seeds,
        ..StudySpec::default()
    };
    spec.prepare.target = format!("{EVIL} **label**");
    spec.model.hidden = vec![8];
    spec.train.epochs = 3;
    spec.train.batch_size = 16;
    let data = prepare(&table, &spec.prepare, spec.seed).expect("prepares");
    run_study(
        &spec,
        &data,
        &RunOptions { threads: 1 },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs")
}

#[test]
fn html_is_self_contained_with_one_svg_per_chart() {
    let r = hostile_result();
    let rendered = render(&r).expect("renders");
    let doc = Html::parse_document(&rendered.html);
    assert!(
        doc.errors.is_empty() || doc.errors.iter().all(|e| !e.contains("Unexpected")),
        "{:?}",
        doc.errors
    );
    let svgs = doc
        .select(&Selector::parse("svg").expect("selector"))
        .count();
    // train loss, val loss, val accuracy, final val loss, the two per-layer charts
    // (activation std by layer, activation histograms) and the phase diagram.
    assert_eq!(svgs, 7);
    assert_eq!(svgs, rendered.svgs.len());
    assert_eq!(
        doc.select(&Selector::parse("script").expect("selector"))
            .count(),
        0
    );
    assert!(!rendered.html.contains("<script"), "no script tag anywhere");
    // No attribute anywhere points outside the file (the hostile class name mentions a URL, but
    // only as escaped text).
    for el in doc.select(&Selector::parse("*").expect("selector")) {
        for (name, value) in el.value().attrs() {
            assert!(
                !value.to_lowercase().contains("http"),
                "<{} {name}={value}>",
                el.value().name()
            );
            assert!(
                !matches!(name, "src" | "href" | "xlink:href"),
                "<{} {name}>",
                el.value().name()
            );
        }
    }
    for style in doc.select(&Selector::parse("style").expect("selector")) {
        let css: String = style.text().collect();
        assert!(
            !css.contains("url(") && !css.contains("@import"),
            "external CSS"
        );
    }
}

#[test]
fn user_strings_are_rendered_inert() {
    let r = hostile_result();
    let rendered = render(&r).expect("renders");
    let doc = Html::parse_document(&rendered.html);
    // The data file is named `<b>data<i>|*x*.csv`: its name is text, never a <b> or <i> element.
    let tags = |css: &str| doc.select(&Selector::parse(css).expect("selector")).count();
    assert_eq!(tags("b") + tags("i"), 0, "the file name became markup");
    // The hostile text is shown as text, exactly.
    let text: String = doc.root_element().text().collect();
    assert!(
        text.contains("<b>data<i>|*x*.csv"),
        "the file name is shown as text"
    );
    assert!(text.contains(EVIL), "the column name appears as text");
    assert!(
        text.contains("=HYPERLINK(\"http://evil\")|*") || text.contains("=HYPERLINK"),
        "class name shown"
    );
    // Markdown: no raw HTML and no extra table cells or links can form.
    let md = &rendered.markdown;
    assert!(
        !md.contains("<script>") && !md.contains("<b>") && !md.contains("<i>"),
        "raw HTML in markdown"
    );
    assert!(!md.contains("](http://evil)"), "a link formed in markdown");
    // Written out by hand (not with the function under test): every punctuation character of
    // the hostile value is backslash-escaped, so no raw HTML can form.
    assert!(md.contains(r"\<script\>alert\(1\)\<\/script\>"));
    assert!(!md.contains(EVIL));
    assert_eq!(escape::markdown("a|b\n*c*"), r"a\|b \*c\*");
    // Every table row has exactly as many cells as its header: no user text adds a cell.
    let pipes = |line: &str| {
        line.match_indices('|')
            .filter(|(i, _)| *i == 0 || line.as_bytes()[i - 1] != b'\\')
            .count()
    };
    let mut header_pipes = 0;
    for line in md
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
    {
        if line.starts_with("| #") || line.starts_with("| initializer") {
            header_pipes = pipes(line);
        }
        assert_eq!(pipes(line), header_pipes, "{line}");
    }
    assert!(header_pipes > 0);
    assert_eq!(escape::csv_cell("=cmd()"), "'=cmd()");
    assert_eq!(escape::csv_cell("+1"), "'+1");
    assert_eq!(escape::csv_cell("xavier-uniform"), "xavier-uniform");
}

#[test]
fn curves_csv_has_one_row_per_initializer_repeat_epoch_split_metric() {
    let r = hostile_result();
    let csv = render(&r).expect("renders").curves_csv;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["initializer", "repeat", "epoch", "split", "metric", "value"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    // 3 initializers x 2 repeats x 4 epochs (0..=3) x {train loss, val loss, val accuracy}.
    let expected: usize = r.runs.iter().map(|run| run.epochs.len() * 3).sum();
    assert_eq!(expected, 3 * 2 * 4 * 3);
    assert_eq!(rows.len(), expected);
    let mut keys: Vec<String> = rows
        .iter()
        .map(|r| format!("{}|{}|{}|{}|{}", &r[0], &r[1], &r[2], &r[3], &r[4]))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), expected, "every row is a distinct key");
    assert!(rows.iter().all(|r| r[5].parse::<f64>().is_ok()));
}

#[test]
fn statistics_match_scipy_on_a_fixed_example() {
    // Reference values from SciPy 1.x: numpy mean/std(ddof=1), stats.t.interval(0.95, ...),
    // stats.ttest_ind(a, b, equal_var=False), stats.t.ppf, stats.t.cdf.
    let a = [0.074, 0.071, 0.077, 0.0745];
    let b = [0.140, 0.150, 0.135];
    let close = |x: f64, y: f64, tol: f64| (x - y).abs() <= tol * y.abs().max(1e-300);
    assert!(close(mean(&a).expect("mean"), 0.074125, 1e-12));
    assert!(close(
        std_dev(&a).expect("std"),
        0.002_462_214_450_449_028_2,
        1e-10
    ));
    let (lo, hi) = ci95(&a).expect("ci");
    assert!(
        close(lo, 0.070_207_067_359_676_16, 1e-9) && close(hi, 0.078_042_932_640_323_83, 1e-9),
        "{lo} {hi}"
    );
    let (t, df, p) = welch(&a, &b).expect("welch");
    assert!(close(t, -14.752_832_600_636_427, 1e-9), "t {t}");
    assert!(close(df, 2.314_562_033_122_123_7, 1e-9), "df {df}");
    assert!(close(p, 0.002_433_899_440_718_111, 1e-6), "p {p}");
    let (t, df, p) = welch(
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
    )
    .expect("welch");
    assert!(close(t, -2.376_354_103_144_018_3, 1e-9) && close(df, 6.972_255_729_794_934, 1e-9));
    assert!(close(p, 0.049_284_338_206_730_53, 1e-6), "p {p}");
    assert!(close(t_quantile(0.975, 2.0), 4.302_652_729_749_462, 1e-8));
    assert!(close(
        student_t_cdf(1.3, 7.5),
        0.883_936_610_592_195_6,
        1e-8
    ));
}

#[test]
fn never_overwrites_silently_and_leaves_no_partial_folder() {
    let r = hostile_result();
    let dir = tmp("out");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("keep.txt"), "mine").expect("write");
    let e = write_report(&r, &dir, false)
        .expect_err("refuses")
        .to_string();
    assert!(e.contains("already exists"), "{e}");
    assert!(dir.join("keep.txt").exists());
    write_report(&r, &dir, true).expect("replaces with overwrite");
    assert!(!dir.join("keep.txt").exists());
    for f in [
        "report.html",
        "report.md",
        "results.json",
        "study.json",
        "curves.csv",
        "train_loss.svg",
        "val_loss.svg",
        "val_score.svg",
        "final_val_loss.svg",
        "layer_activation_std.svg",
        "layer_histograms.svg",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let parent = dir.parent().expect("parent");
    let leftovers: Vec<String> = std::fs::read_dir(parent)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial") || n.contains(".old-"))
        .filter(|n| n.contains(&format!("initlab-report-{}", std::process::id())))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // results.json in the folder re-renders the same report.
    let back = StudyResult::from_json(
        &std::fs::read_to_string(dir.join("results.json")).expect("read"),
        "results.json",
    )
    .expect("parses");
    assert_eq!(
        render(&back).expect("renders").markdown,
        render(&r).expect("renders").markdown
    );
}

/// A small regression study: the target is a smooth function of two columns.
fn regression_result(repeats: usize) -> StudyResult {
    let dir = tmp(&format!("regression-data-{repeats}"));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("regression.csv");
    let mut csv = "a,b,y\n".to_owned();
    for i in 0..60 {
        let (a, b) = (i as f64 * 0.1, ((i * 7) % 11) as f64);
        csv += &format!("{a},{b},{}\n", 2.0 * a - 0.5 * b + (i % 3) as f64 * 0.1);
    }
    std::fs::write(&path, csv).expect("write");
    let table = load_csv(&path, &mut |_| {}).expect("loads");
    let mut spec = StudySpec {
        data: path.display().to_string(),
        initializers: ["xavier-uniform", "zeros"]
            .iter()
            .map(|s| s.parse().expect("init"))
            .collect(),
        repeats,
        repeat_mode: RepeatMode::Seeds,
        ..StudySpec::default()
    };
    spec.prepare.target = "y".into();
    spec.prepare.task = TaskChoice::Regression;
    spec.model.hidden = vec![8];
    spec.train.epochs = 3;
    spec.train.batch_size = 16;
    let data = prepare(&table, &spec.prepare, spec.seed).expect("prepares");
    run_study(
        &spec,
        &data,
        &RunOptions { threads: 1 },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs")
}

#[test]
fn a_regression_report_names_its_score_r2_and_never_accuracy() {
    let r = regression_result(2);
    let rendered = render(&r).expect("renders");
    for (format, text) in [("html", &rendered.html), ("markdown", &rendered.markdown)] {
        assert!(text.contains("val R²"), "{format}: no R² column");
        assert!(text.contains("Validation R²"), "{format}: no R² chart");
        assert!(
            !text.to_lowercase().contains("accuracy"),
            "{format} says accuracy"
        );
        assert!(!text.contains("class frequencies"), "{format}");
    }
    for (file, svg) in &rendered.svgs {
        assert!(!svg.contains("accuracy"), "{file} says accuracy");
    }
    assert!(rendered.curves_csv.contains(",val,r2,"));
    assert!(!rendered.curves_csv.contains("accuracy"));
}

#[test]
fn reports_and_errors_give_advice_that_fits_the_app_too() {
    // One repeat: the report advises more repeats, in words rather than a command-line flag.
    let r = regression_result(1);
    let rendered = render(&r).expect("renders");
    for (format, text) in [("html", &rendered.html), ("markdown", &rendered.markdown)] {
        for flag in ["--seeds", "--repeats", "--force"] {
            assert!(!text.contains(flag), "{format} mentions {flag}");
        }
        assert!(text.contains("3 or more repeats"), "{format}");
        // "seed" is only ever the study seed: there is one per study.
        assert!(!text.contains("seeds"), "{format} counts seeds");
    }
    let dir = tmp("exists");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("keep.txt"), "mine").expect("write");
    let e = write_report(&r, &dir, false)
        .expect_err("refuses")
        .to_string();
    assert!(e.contains("already exists") && !e.contains("--"), "{e}");
}

#[test]
fn default_report_folders_are_named_after_the_dataset_and_never_reused() {
    let digits = StudySpec::default();
    assert_eq!(digits.data, "bundled:digits");
    let (a, b) = (default_dir(&digits), default_dir(&digits));
    assert_ne!(a, b, "two exports in the same second share a folder");
    for d in [&a, &b] {
        assert!(d.starts_with("reports"), "{}", d.display());
        let name = d.file_name().expect("name").to_string_lossy().into_owned();
        assert!(name.starts_with("digits-2"), "{name}");
    }
    let csv = StudySpec {
        data: "/x/y/my data.csv".into(),
        ..StudySpec::default()
    };
    let name = default_dir(&csv)
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        ["my data-", "my_data-", "my-data-"]
            .iter()
            .any(|p| name.starts_with(p)),
        "{name}"
    );
}

/// The texts of an SVG's right-aligned `<text>` elements: the y axis's tick labels.
fn y_labels(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (attrs, rest) = t.split_once('>')?;
            let text = rest.split("</text>").next()?;
            attrs
                .contains("text-anchor=\"end\"")
                .then(|| text.trim().to_owned())
        })
        .collect()
}

#[test]
fn log_axes_label_every_decade() {
    let mut r = hostile_result();
    // Every training loss curve falls from 1 to 0.001.
    for run in &mut r.runs {
        let last = run.epochs.len().saturating_sub(1).max(1) as f64;
        for (k, e) in run.epochs.iter_mut().enumerate() {
            e.train_loss = 10f64.powf(-3.0 * k as f64 / last);
        }
    }
    let rendered = render(&r).expect("renders");
    let svg = rendered
        .svgs
        .iter()
        .find(|(name, _)| name == "train_loss.svg")
        .map(|(_, svg)| svg)
        .expect("training loss chart");
    let labels = y_labels(svg);
    for decade in ["0.001", "0.01", "0.1", "1"] {
        assert!(
            labels.iter().any(|l| l == decade),
            "{decade} not among {labels:?}"
        );
    }
}

/// The committed example re-renders identically from its results.json: the report is a pure
/// function of the result (no clock, no machine in the rendering), so a refactor that changes
/// a byte of it shows up here.
#[test]
fn the_example_report_rerenders_identically() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/example");
    let text = std::fs::read_to_string(dir.join("results.json")).expect("example results");
    let result = StudyResult::from_json(&text, "results.json").expect("parses");
    let out = std::env::temp_dir().join(format!("initlab-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    initlab::report::write_report(&result, &out, false).expect("writes");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).expect("example folder") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".md") || name.ends_with(".html") || name.ends_with(".svg") {
            let committed = std::fs::read(dir.join(&*name)).expect("committed");
            let fresh = std::fs::read(out.join(&*name)).expect("re-rendered");
            assert!(
                committed == fresh,
                "{name} differs from the committed example"
            );
            compared += 1;
        }
    }
    assert!(compared >= 6, "compared {compared} files");
    let _ = std::fs::remove_dir_all(&out);
}

/// Identical runs (zeros init) differ by rounding noise only: the spread reads 0, not 6.80e-17.
#[test]
fn rounding_noise_reads_as_zero_spread() {
    use initlab::report::pm;
    assert_eq!(pm(Some(std::f64::consts::LN_10), Some(6.8e-17)), "2.30 ± 0");
    assert_eq!(
        pm(Some(std::f64::consts::LN_10), Some(0.0031)),
        "2.30 ± 0.00310"
    );
}

/// The report's analysis on a result built by hand: A = [.10, .11, .12], B = [.20, .21, .22]
/// (final validation losses over three repeats), C diverged in every repeat. B - A is the same
/// in every repeat (0.1), so no paired test exists and Welch's is used. Reference p:
/// `scipy.stats.ttest_ind([.20, .21, .22], [.10, .11, .12], equal_var=False).pvalue`
/// = 0.0002552167494419263 (SciPy 1.17); the dataset checksum is `sha256sum datasets/iris.csv`.
/// With B = [.20, .23, .21] and D = [.30, .31, .35] the repeats pair up: SciPy's
/// `ttest_rel(B, A).pvalue` = 0.0072054464084597755 and `ttest_rel(D, A).pvalue` =
/// 0.0022598898942822617; statsmodels' `multipletests([pB, pD], method='holm')` gives
/// [0.0072054464084597755, 0.004519779788564523]; `wilcoxon(B, A).pvalue` = 0.25.
#[test]
fn the_analysis_of_a_hand_built_result() {
    use initlab::report::{Comparison, analyze};
    use initlab::study::{RunResult, summarize};
    use initlab::train::EpochMetrics;
    let table = initlab::data::bundled::Bundled::by_name("iris")
        .expect("iris")
        .load()
        .expect("loads");
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        initializers: ["normal:100", "kaiming-normal", "xavier-normal"]
            .iter()
            .map(|s| s.parse().expect("init"))
            .collect(),
        repeats: 3,
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    spec.train.epochs = 1;
    let data = prepare(&table, &spec.prepare, spec.seed).expect("prepares");
    let epoch = |e: usize, loss: f64| EpochMetrics {
        epoch: e,
        train_loss: loss,
        val_loss: loss,
        val_accuracy: Some(0.9),
        val_r2: None,
    };
    let run = |init: &str, repeat: usize, last: Option<f64>| RunResult {
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
    };
    let build = |spec: &StudySpec, arms: &[(&str, Option<[f64; 3]>)]| {
        let mut runs = Vec::new();
        for (init, finals) in arms {
            for r in 0..3 {
                runs.push(run(init, r, finals.map(|f| f[r])));
            }
        }
        let summary = summarize(&spec.initializer_names(), &runs);
        StudyResult {
            spec: spec.clone(),
            data: data.summary.clone(),
            runs,
            summary,
            environment: initlab::study::Environment::current(1),
            wall_seconds: 0.0,
            completed: true,
            verdict: None,
        }
    };
    let result = build(
        &spec,
        &[
            ("normal:100", None),
            ("kaiming-normal", Some([0.20, 0.21, 0.22])),
            ("xavier-normal", Some([0.10, 0.11, 0.12])),
        ],
    );
    let a = analyze(&result);
    let order: Vec<&str> = a.rows.iter().map(|r| r.initializer()).collect();
    assert_eq!(order, ["xavier-normal", "kaiming-normal", "normal:100"]);
    assert_eq!(a.rows[0].vs_best, Comparison::Best);
    match a.rows[1].vs_best {
        Comparison::P(p) => assert!((p - 0.000_255_216_749_441_926_3).abs() < 1e-9, "p {p}"),
        ref other => panic!("B needs a test: {other:?}"),
    }
    match a.rows[2].vs_best {
        Comparison::NoTest(why) => assert!(why.contains("diverged"), "{why}"),
        ref other => panic!("C cannot be tested: {other:?}"),
    }
    assert!(a.headline.starts_with("xavier-normal"), "{}", a.headline);
    assert_eq!(
        result.data.sha256,
        "1313a7d3c8e674c96db1ab36bb6b99c9fe779d2daf1839cbda0b3f5b866e7ef4"
    );
    let md = initlab::report::render(&result).expect("renders").markdown;
    assert!(md.contains(&result.data.sha256));

    // Paired repeats, two comparisons: paired t-tests, Holm-adjusted, and Wilcoxon.
    spec.initializers.push("orthogonal".parse().expect("init"));
    let result = build(
        &spec,
        &[
            ("normal:100", None),
            ("kaiming-normal", Some([0.20, 0.23, 0.21])),
            ("xavier-normal", Some([0.10, 0.11, 0.12])),
            ("orthogonal", Some([0.30, 0.31, 0.35])),
        ],
    );
    let a = analyze(&result);
    let order: Vec<&str> = a.rows.iter().map(|r| r.initializer()).collect();
    assert_eq!(
        order,
        [
            "xavier-normal",
            "kaiming-normal",
            "orthogonal",
            "normal:100"
        ]
    );
    let paired = |k: usize| match &a.rows[k].vs_best {
        Comparison::Paired(c) => c.clone(),
        other => panic!("row {k} should be paired: {other:?}"),
    };
    let (b, d) = (paired(1), paired(2));
    assert!(
        (b.t.p - 0.007_205_446_408_459_775_5).abs() < 1e-9,
        "{}",
        b.t.p
    );
    assert!(
        (d.t.p - 0.002_259_889_894_282_261_7).abs() < 1e-9,
        "{}",
        d.t.p
    );
    assert!(
        (b.p_holm - 0.007_205_446_408_459_775_5).abs() < 1e-9,
        "{}",
        b.p_holm
    );
    assert!(
        (d.p_holm - 0.004_519_779_788_564_523).abs() < 1e-9,
        "{}",
        d.p_holm
    );
    assert_eq!(b.wilcoxon.as_ref().map(|w| w.p), Some(0.25));
    assert!((b.t.mean_diff - 0.1033333333).abs() < 1e-9);
    let md = initlab::report::render(&result).expect("renders").markdown;
    assert!(md.contains("(Holm)"), "the correction is named");
}

/// The report carries the theory: the phase diagram with every initializer placed on it (as a
/// chart and in the table), for a report re-rendered from results.json alone.
#[test]
fn the_report_places_every_initializer_on_the_phase_diagram() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/example");
    let text = std::fs::read_to_string(dir.join("results.json")).expect("example results");
    let result = StudyResult::from_json(&text, "results.json").expect("parses");
    let rendered = render(&result).expect("renders");
    let (_, phase) = rendered
        .svgs
        .iter()
        .find(|(n, _)| n == "phase_diagram.svg")
        .expect("a phase diagram");
    assert!(phase.contains("edge of chaos"));
    let md = &rendered.markdown;
    let section = &md[md.find("## Theory at initialization").expect("section")..];
    for init in result.spec.initializer_names() {
        assert!(phase.contains(init.as_str()), "{init} on the diagram");
        let escaped = escape::markdown(&init);
        assert!(
            section.contains(&format!("| {escaped} |")),
            "{init} in the table"
        );
    }
    // Xavier on square tanh layers is exactly critical; kaiming-normal (sigma_w2 = 2) chaotic.
    assert!(section.contains("| xavier\\-normal | 1.00 | 1.000 | ∞ | ∞ | critical |"));
    assert!(section.contains("| kaiming\\-normal | 2.00 | 1.11 |"));
}
