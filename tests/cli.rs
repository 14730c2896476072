//! The headless command as scripts use it: exit codes, files written, study files re-run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::initlab;

fn tmp(name: &str) -> PathBuf {
    common::scratch("cli", name)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file written")).expect("valid json")
}

#[test]
fn runs_on_every_bundled_dataset() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    for (file, target, regression) in [
        ("digits", "digit", false),
        ("iris", "species", false),
        ("wine", "cultivar", false),
        ("breast_cancer", "diagnosis", false),
        ("diabetes", "progression", true),
    ] {
        let out = tmp(file);
        let data = format!("{manifest}/datasets/{file}.csv");
        let o = initlab(&[
            "run",
            "--data",
            &data,
            "--target",
            target,
            "--out",
            out.to_str().expect("utf8"),
            "--init",
            "xavier-uniform,zeros",
            "--seeds",
            "2",
            "--epochs",
            "2",
            "--hidden",
            "16",
            "--quiet",
        ]);
        assert!(
            o.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            stdout.contains("xavier-uniform")
                && stdout.contains(if regression {
                    "val R²"
                } else {
                    "val accuracy"
                }),
            "{stdout}"
        );
        let r = json(&out.join("results.json"));
        assert_eq!(r["runs"].as_array().expect("runs").len(), 4, "{file}");
        let first_epoch = &r["runs"][0]["epochs"][1];
        assert_eq!(first_epoch["epoch"], 1);
        assert!(first_epoch["train_loss"].is_f64() && first_epoch["val_loss"].is_f64());
        assert_eq!(first_epoch["val_accuracy"].is_null(), regression, "{file}");
        assert_eq!(first_epoch["val_r2"].is_f64(), regression, "{file}");
        assert!(r["summary"][0]["final_val_loss_mean"].is_f64());
        assert!(r["environment"]["initlab_version"].is_string());
        assert!(r["environment"]["threads"].is_u64());
        assert!(r["wall_seconds"].is_f64());
        assert_eq!(json(&out.join("study.json"))["data"], data.as_str());
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn a_written_study_reruns_to_the_same_numbers_and_flags_override_it() {
    let a = tmp("study-a");
    let b = tmp("study-b");
    let c = tmp("study-c");
    let o = initlab(&[
        "run",
        "--data",
        "bundled:iris",
        "--target",
        "species",
        "--out",
        a.to_str().expect("utf8"),
        "--init",
        "orthogonal,kaiming-normal:mode=fan-out,gain=auto,lsuv",
        "--seeds",
        "2",
        "--epochs",
        "3",
        "--hidden",
        "8,8",
        "--activation",
        "relu",
        "--optimizer",
        "momentum",
        "--nesterov",
        "--lr",
        "0.05",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let study = a.join("study.json");
    let o = initlab(&[
        "run",
        "--study",
        study.to_str().expect("utf8"),
        "--out",
        b.to_str().expect("utf8"),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (ra, rb) = (json(&a.join("results.json")), json(&b.join("results.json")));
    assert_eq!(ra["runs"], rb["runs"]);
    assert_eq!(ra["spec"], rb["spec"]);
    assert_eq!(
        ra["spec"]["initializers"][1],
        "kaiming-normal:mode=fan-out,gain=auto"
    );

    let o = initlab(&[
        "run",
        "--study",
        study.to_str().expect("utf8"),
        "--epochs",
        "1",
        "--out",
        c.to_str().expect("utf8"),
        "--quiet",
    ]);
    assert!(o.status.success());
    let rc = json(&c.join("results.json"));
    assert_eq!(rc["spec"]["train"]["epochs"], 1);
    assert_eq!(rc["spec"]["train"]["optimizer"]["kind"], "momentum");
    assert_eq!(rc["runs"][0]["epochs"].as_array().expect("epochs").len(), 2);
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let fixtures = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let out = tmp("bad");
    let out = out.to_str().expect("utf8");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--data".into(),
                format!("{fixtures}/ragged.csv"),
                "--target".into(),
                "c".into(),
            ],
            "ragged.csv: line 3",
        ),
        (
            vec![
                "--data".into(),
                format!("{fixtures}/missing.csv"),
                "--target".into(),
                "nope".into(),
            ],
            "no column named 'nope'",
        ),
        (
            vec![
                "--data".into(),
                "/no/such/file.csv".into(),
                "--target".into(),
                "y".into(),
            ],
            "file.csv: cannot read",
        ),
        (
            vec![
                "--data".into(),
                "bundled:iris".into(),
                "--target".into(),
                "species".into(),
                "--init".into(),
                "xavier".into(),
            ],
            "unknown initializer 'xavier'",
        ),
        (
            vec![
                "--data".into(),
                "bundled:iris".into(),
                "--target".into(),
                "species".into(),
                "--lr".into(),
                "-1".into(),
            ],
            "'lr'",
        ),
        (
            vec![
                "--data".into(),
                "bundled:iris".into(),
                "--target".into(),
                "species".into(),
                "--activation".into(),
                "swish".into(),
            ],
            "unknown activation",
        ),
        (
            vec![
                "--data".into(),
                "bundled:iris".into(),
                "--target".into(),
                "species".into(),
                "--repeats".into(),
                "3".into(),
                "--repeat-mode".into(),
                "splits:4".into(),
            ],
            "'repeat_mode': splits:4 needs at most as many splits as repeats (3)",
        ),
        (
            vec![
                "--data".into(),
                "bundled:iris".into(),
                "--target".into(),
                "species".into(),
                "--repeat-mode".into(),
                "splits:0".into(),
            ],
            "--repeat-mode: splits:S needs a whole number S of at least 1, got '0'",
        ),
        (
            vec!["--study".into(), format!("{fixtures}/ragged.csv")],
            "not a valid study file",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec![
            "run".to_owned(),
            "--out".into(),
            out.into(),
            "--quiet".into(),
        ];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = initlab(&refs);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{all:?}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn list_shows_the_catalogue_with_formulas() {
    let o = initlab(&["list"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    for name in [
        "zeros",
        "trunc-normal:STD",
        "xavier-uniform",
        "kaiming-normal",
        "lecun-normal",
        "orthogonal",
        "sparse:K",
        "pytorch-default",
        "lsuv",
    ] {
        assert!(s.contains(name), "{name}");
    }
    assert!(s.contains("sqrt(6 / (fan_in + fan_out))") && s.contains("Mishkin & Matas 2015"));
}

#[test]
fn report_rerenders_saved_results_and_run_refuses_to_overwrite() {
    let a = tmp("report-a");
    let b = tmp("report-b");
    let args = [
        "run",
        "--data",
        "bundled:wine",
        "--target",
        "cultivar",
        "--init",
        "xavier-normal,zeros",
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--hidden",
        "8",
        "--quiet",
        "--out",
    ];
    let mut first: Vec<&str> = args.to_vec();
    first.push(a.to_str().expect("utf8"));
    assert!(initlab(&first).status.success());
    for f in [
        "report.html",
        "report.md",
        "curves.csv",
        "val_loss.svg",
        "results.json",
        "study.json",
    ] {
        assert!(a.join(f).is_file(), "{f}");
    }
    let again = initlab(&first);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let results = a.join("results.json");
    let o = initlab(&[
        "report",
        results.to_str().expect("utf8"),
        "--out",
        b.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(a.join("report.md")).expect("md"),
        std::fs::read_to_string(b.join("report.md")).expect("md")
    );
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Defect: widths that `validate` accepts made the process abort on a failed allocation
/// (SIGABRT, nothing written). The study is refused up front, with the estimate, exit 2.
#[test]
fn a_study_too_big_for_memory_is_refused_with_the_estimate() {
    let out = tmp("too-big");
    let o = initlab(&[
        "run",
        "--data",
        "bundled:iris",
        "--target",
        "species",
        "--hidden",
        "65536,65536",
        "--repeats",
        "10",
        "--init",
        "xavier-normal,kaiming-normal",
        "--out",
        out.to_str().expect("utf8"),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains("needs about") && err.contains("available"),
        "{err}"
    );
    assert!(err.contains("20 networks"), "{err}");
    assert!(!out.exists(), "nothing written");
}

/// Defect: Ctrl-C killed `initlab run` and lost everything. SIGINT (and SIGTERM, what a cluster
/// sends before preempting) stop training between steps; the partial results and report are
/// written, marked incomplete, and the exit status is 130.
#[test]
fn sigint_and_sigterm_keep_the_partial_results() {
    use std::io::{BufRead, BufReader};
    for signal in ["-INT", "-TERM"] {
        let out = tmp(&format!("signal{signal}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_initlab"))
            .args([
                "run",
                "--data",
                "bundled:digits",
                "--target",
                "digit",
                "--epochs",
                "5000",
                "--init",
                "xavier-normal",
                "--repeats",
                "1",
                "--out",
                out.to_str().expect("utf8"),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns");
        // The data summary is printed just before training starts.
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("reads");
        assert!(line.contains("rows"), "summary line: {line}");
        std::thread::sleep(std::time::Duration::from_millis(700));
        let started = std::time::Instant::now();
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let status = child.wait().expect("waits");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "stopped between steps, not at the end"
        );
        assert_eq!(status.code(), Some(130), "{signal}");
        let results = json(&out.join("results.json"));
        assert_eq!(results["completed"], false, "{signal}: marked incomplete");
        let epochs = results["runs"][0]["epochs"]
            .as_array()
            .expect("epochs")
            .len();
        assert!(
            (1..5001).contains(&epochs),
            "{signal}: partial epochs kept ({epochs})"
        );
        assert!(out.join("report.html").exists(), "{signal}: report written");
        let _ = std::fs::remove_dir_all(&out);
    }
}

/// A report write that fails half-way (here: a 128 KB file-size limit: report.html and report.md
/// are written, results.json is not) leaves the previous folder as it was and no staging or
/// set-aside folder behind.
#[test]
fn a_report_write_that_fails_half_way_keeps_the_previous_folder() {
    let out = tmp("half-way");
    let example = format!(
        "{}/reports/example/results.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = initlab(&["report", &example, "--out", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listing = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .expect("folder")
            .map(|e| {
                let p = e.expect("entry").path();
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                (name, std::fs::read(&p).expect("read"))
            })
            .collect();
        v.sort();
        v
    };
    let before = listing(&out);
    let script = format!(
        "trap '' XFSZ; ulimit -f 128; exec '{}' report '{example}' --out '{}' --force",
        env!("CARGO_BIN_EXE_initlab"),
        out.display()
    );
    let o = Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash");
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.trim().lines().count() == 1,
        "{err}"
    );
    let after = listing(&out);
    assert!(before == after, "the previous report is intact");
    let parent = out.parent().expect("parent");
    let stem = out
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let leftovers: Vec<String> = std::fs::read_dir(parent)
        .expect("parent")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{stem}.")))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&out);
}

/// `initlab compare` on three bundled datasets writes a comparison with Friedman's test and the
/// critical-difference diagram; a study with another initializer list is a one-line error.
#[test]
fn compare_ranks_initializers_across_datasets() {
    let root = tmp("compare");
    let study = |name: &str, target: &str, inits: &str| -> PathBuf {
        let out = root.join(name);
        let o = initlab(&[
            "run",
            "--data",
            &format!("bundled:{name}"),
            "--target",
            target,
            "--init",
            inits,
            "--repeats",
            "2",
            "--epochs",
            "2",
            "--hidden",
            "8",
            "--no-diagnostics",
            "--quiet",
            "--out",
            out.to_str().expect("utf8"),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let inits = "xavier-normal,kaiming-normal,zeros,orthogonal";
    let dirs = [
        study("iris", "species", inits),
        study("wine", "cultivar", inits),
        study("breast_cancer", "diagnosis", inits),
    ];
    let out = root.join("cmp");
    let mut args = vec!["compare"];
    args.extend(dirs.iter().map(|d| d.to_str().expect("utf8")));
    args.extend(["--out", out.to_str().expect("utf8")]);
    let o = initlab(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("compare.md")).expect("compare.md");
    assert!(
        md.contains("Friedman's test over 3 studies and 4 initializers"),
        "{md}"
    );
    assert!(md.contains("critical difference at α = 0.05: 2.71"), "{md}");
    let svg = std::fs::read_to_string(out.join("cd_diagram.svg")).expect("diagram");
    assert!(svg.contains("CD = 2.71") && svg.contains("xavier-normal"));
    assert!(out.join("compare.html").is_file());
    // A study with another initializer list.
    let odd = study(
        "diabetes",
        "progression",
        "xavier-normal,lsuv,zeros,orthogonal",
    );
    let o = initlab(&[
        "compare",
        dirs[0].to_str().expect("utf8"),
        odd.to_str().expect("utf8"),
        "--out",
        root.join("cmp2").to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.trim().lines().count() == 1 && err.contains("initializers differ"),
        "{err}"
    );
    assert!(
        err.contains("kaiming-normal") && err.contains("lsuv"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// A sweep from the command line: its report folder, a study file that re-runs it to the same
/// numbers, `initlab report` on its results, and its bad input as one line with exit 2.
#[test]
fn sweeps_run_rerun_and_render_from_the_command_line() {
    let a = tmp("sweep-a");
    let b = tmp("sweep-b");
    let c = tmp("sweep-c");
    let base = [
        "run",
        "--data",
        "bundled:iris",
        "--target",
        "species",
        "--init",
        "xavier-normal,kaiming-normal",
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--hidden",
        "8",
        "--repeat-mode",
        "seeds",
        "--quiet",
        "--sweep",
        "depth=1,2",
        "--sweep",
        "lr=0.001,0.01",
        "--out",
    ];
    let mut first = base.to_vec();
    first.push(a.to_str().expect("utf8"));
    let o = initlab(&first);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "report.html",
        "report.md",
        "points.csv",
        "heatmap_trained.svg",
        "results.json",
    ] {
        assert!(a.join(f).is_file(), "{f}");
    }
    let results = json(&a.join("results.json"));
    let points = results["points"].as_array().expect("points");
    assert_eq!(points.len(), 4);
    let csv = std::fs::read_to_string(a.join("points.csv")).expect("csv");
    assert_eq!(
        csv.lines().count(),
        1 + 4 * 2,
        "one row per point and initializer"
    );
    // The saved study re-runs to the same numbers.
    let study = a.join("study.json");
    let o = initlab(&[
        "run",
        "--study",
        study.to_str().expect("utf8"),
        "--quiet",
        "--out",
        b.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let again = json(&b.join("results.json"));
    for (p, q) in points
        .iter()
        .zip(again["points"].as_array().expect("points"))
    {
        assert_eq!(p["result"]["runs"], q["result"]["runs"]);
    }
    let results_file = a.join("results.json");
    let o = initlab(&[
        "report",
        results_file.to_str().expect("utf8"),
        "--out",
        c.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(c.join("report.html")).expect("html");
    assert!(html.contains("initlab sweep") && html.contains("Every point"));

    let bad = |extra: &[&str], expected: &str| {
        let mut args: Vec<&str> = base[..base.len() - 5].to_vec();
        args.extend_from_slice(extra);
        let o = initlab(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{extra:?}: {err}");
        assert!(err.contains(expected), "{extra:?}: {err}");
    };
    bad(
        &["--sweep", "depth=0,2"],
        "sweep axis 'depth': value 0 is out of range",
    );
    bad(
        &["--sweep", "colour=1"],
        "sweep axis 'colour': unknown axis",
    );
    bad(
        &["--sweep", "depth=1", "--sweep", "depth=2"],
        "'sweep.depth'",
    );
    bad(
        &["--sweep", "lr="],
        "sweep axis 'lr': give at least one value",
    );
    bad(
        &["--sweep", "data=bundled:iris@species,/no/such.csv"],
        "'sweep.data': value '/no/such.csv'",
    );
    bad(
        &["--sweep", "width=1..400"],
        "trains 1600 networks, above the limit of 1000: pass --max-networks 1600",
    );
}
