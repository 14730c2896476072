//! The experiment gallery: every experiment's claim checked on its reduced setup (each a few
//! seconds in release), the verdict in results.json and in the report's first paragraph, and
//! the `initlab gallery` command.

mod common;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use initlab::activation::Activation;
use initlab::gallery::{EXPERIMENTS, Scale, Size, by_name, coordinate_scales};
use initlab::study::{Results, RunOptions, StudyResult, SweepResult, Verdict};
use initlab::train::Parametrization;

/// Runs experiment `name` at its reduced size and returns the result with its verdict.
fn run(name: &str) -> Results {
    let e = by_name(name).expect("experiment exists");
    let started = std::time::Instant::now();
    let r = e
        .run(
            Size::Reduced,
            &RunOptions { threads: 2 },
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("experiment runs");
    eprintln!("{name}: {:.2} s", started.elapsed().as_secs_f64());
    r
}

fn verdict(r: &Results) -> &Verdict {
    let v = match r {
        Results::Study(s) => s.verdict.as_ref(),
        Results::Sweep(s) => s.verdict.as_ref(),
    };
    let v = v.expect("verdict attached");
    eprintln!("{}", v.text);
    v
}

fn study(r: &Results) -> &StudyResult {
    match r {
        Results::Study(s) => s,
        Results::Sweep(_) => panic!("expected a study"),
    }
}

fn sweep(r: &Results) -> &SweepResult {
    match r {
        Results::Sweep(s) => s,
        Results::Study(_) => panic!("expected a sweep"),
    }
}

fn final_losses(r: &StudyResult, init: &str) -> Vec<f64> {
    r.runs
        .iter()
        .filter(|run| run.initializer == init)
        .map(|run| run.epochs.last().expect("epochs").train_loss)
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn every_experiment_is_listed_once_with_valid_specs() {
    let mut names: Vec<&str> = EXPERIMENTS.iter().map(|e| e.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EXPERIMENTS.len(), "names are unique");
    for e in EXPERIMENTS {
        for size in [Size::Full, Size::Reduced] {
            let spec = (e.spec)(size);
            spec.validate()
                .unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert!(
                spec.data.starts_with("bundled:"),
                "{}: bundled data",
                e.name
            );
        }
        assert!(!e.claim.is_empty() && !e.citation.is_empty() && !e.look_for.is_empty());
    }
}

#[test]
fn symmetry_constant_inits_keep_one_distinct_unit() {
    let r = run("symmetry");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    // The same, read off the diagnostics directly.
    let s = study(&r);
    for run in &s.runs {
        let distinct: Vec<usize> = run
            .diagnostics
            .as_ref()
            .expect("diagnostics")
            .epochs
            .iter()
            .flat_map(|e| e.layers[..2].iter().map(|l| l.distinct_units))
            .collect();
        if run.initializer == "xavier-normal" {
            assert!(distinct.iter().all(|&d| d == 32), "{distinct:?}");
        } else {
            assert!(
                distinct.iter().all(|&d| d == 1),
                "{}: {distinct:?}",
                run.initializer
            );
        }
    }
}

#[test]
fn he_deep_relu_kaiming_trains_where_xavier_stays_at_chance() {
    let r = run("he-deep-relu");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    let s = study(&r);
    let chance = 10f64.ln();
    let (x, k) = (
        final_losses(s, "xavier-normal"),
        final_losses(s, "kaiming-normal"),
    );
    assert!(
        x.iter().all(|l| (l - chance).abs() <= 0.05 * chance),
        "{x:?}"
    );
    assert!(mean(&k) < 0.5 * mean(&x), "{k:?} vs {x:?}");
}

#[test]
fn he_deep_relu_under_adam_xavier_trains_too() {
    let r = run("he-deep-relu-adam");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    let s = study(&r);
    let x = final_losses(s, "xavier-normal");
    assert!(x.iter().all(|l| *l < 0.5 * 10f64.ln()), "{x:?}");
}

#[test]
fn saxe_learning_time_flat_for_orthogonal_grows_for_gaussian() {
    let r = run("saxe-deep-linear");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    // Best learning rate per depth (depths 1 and 32), straight from the trainability.
    let s = sweep(&r);
    let best = |init: &str, depth: usize| {
        s.points
            .iter()
            .filter(|p| p.coords[0] == depth)
            .flat_map(|p| {
                p.result
                    .runs
                    .iter()
                    .zip(&p.trainability)
                    .filter(|(run, _)| run.initializer == init)
                    .filter_map(|(_, t)| t.steps_to_threshold)
            })
            .min()
            .expect("reached at some learning rate") as f64
    };
    let growth = |init: &str| best(init, 1) / best(init, 0);
    assert!(growth("orthogonal") <= 1.5, "{}", growth("orthogonal"));
    assert!(growth("lecun-normal") >= 3.0, "{}", growth("lecun-normal"));
}

#[test]
fn schoenholz_nothing_trains_beyond_six_xi_c() {
    let r = run("schoenholz-edge-of-chaos");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    // Depth 32: only the critical gain (1.33, 6 xi_c in the thousands) trains; gains 0.5 and
    // 4 (6 xi_c = 4.0 and 22.1) do not.
    let s = sweep(&r);
    for p in s.points.iter().filter(|p| p.coords[1] == 2) {
        let trained = p.trainability.iter().all(|t| t.trained);
        assert_eq!(trained, p.coords[0] == 1, "gain index {}", p.coords[0]);
    }
}

#[test]
fn pennington_orthogonal_trains_faster_with_a_narrower_spectrum() {
    let r = run("pennington-isometry");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    let s = study(&r);
    let (o, g) = (
        final_losses(s, "orthogonal"),
        final_losses(s, "lecun-normal"),
    );
    assert!(mean(&o) < 0.5 * mean(&g), "{o:?} vs {g:?}");
}

#[test]
fn lsuv_unit_variance_and_a_deep_network_trains() {
    let r = run("lsuv");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    let s = study(&r);
    for run in s.runs.iter().filter(|r| r.initializer == "lsuv") {
        let layers = run.lsuv.as_ref().expect("lsuv variances");
        assert_eq!(layers.len(), 31, "30 hidden layers and the output");
        assert!(layers.iter().all(|l| (l.variance - 1.0).abs() <= 0.1));
    }
    assert!(mean(&final_losses(s, "lsuv")) < 0.5 * mean(&final_losses(s, "orthogonal")));
}

/// Glorot & Bengio's sigmoid effect shows (the top layer is driven to 0 under the standard
/// initialization) but not their contrast: the normalized initialization is driven there too,
/// and tanh saturates in every layer at once rather than layer by layer. The verdict says
/// "not reproduced"; this test pins what does happen.
#[test]
fn glorot_top_sigmoid_layer_goes_to_zero_under_both_inits() {
    let r = run("glorot-saturation");
    let v = verdict(&r);
    assert!(!v.reproduced, "{}", v.text);
    let s = sweep(&r);
    let sigmoid = s
        .points
        .iter()
        .find(|p| p.result.spec.model.activation == Activation::Sigmoid)
        .expect("sigmoid point");
    for run in &sigmoid.result.runs {
        let d = run.diagnostics.as_ref().expect("diagnostics");
        let top = |e: usize| d.epochs[e].layers[4].act_mean;
        assert!((top(0) - 0.5).abs() < 0.05, "starts near 0.5: {}", top(0));
        let low = (1..d.epochs.len()).map(top).fold(f64::INFINITY, f64::min);
        assert!(low < 0.1, "{}: top layer down to {low}", run.initializer);
    }
}

/// The coordinate check over widths 64..512 (8x): standard's logits grow at every width (3.4x
/// measured; asserted 2x), muP's logits and last hidden layer stay within 1.1x (asserted 1.5x).
/// Standard's hidden layers did not grow (1.2x measured): asserted below 2x, as it happens.
#[test]
fn mup_coordinate_check_sp_logits_grow_with_width_and_mup_stays_flat() {
    let r = run("mup-coordinate-check");
    let v = verdict(&r);
    assert!(v.reproduced, "{}", v.text);
    let scales = coordinate_scales(sweep(&r));
    let of = |p: Parametrization| -> Vec<Scale> {
        scales
            .iter()
            .filter(|s| s.parametrization == p)
            .copied()
            .collect()
    };
    let (sp, mup) = (of(Parametrization::Standard), of(Parametrization::Mup));
    assert_eq!(sp.len(), 4);
    assert_eq!(mup.len(), 4);
    assert_eq!((sp[0].width, sp[3].width), (64, 512), "an 8x range");
    let spread = |v: Vec<f64>| {
        let hi = v.iter().copied().fold(0.0, f64::max);
        hi / v.iter().copied().fold(f64::INFINITY, f64::min)
    };
    assert!(sp.windows(2).all(|w| w[1].logit_rms > w[0].logit_rms));
    assert!(sp[3].logit_rms > 2.0 * sp[0].logit_rms, "{sp:?}");
    assert!(
        spread(mup.iter().map(|s| s.logit_rms).collect()) < 1.5,
        "{mup:?}"
    );
    assert!(
        spread(mup.iter().map(|s| s.hidden_rms).collect()) < 1.5,
        "{mup:?}"
    );
    assert!(sp[3].hidden_rms < 2.0 * sp[0].hidden_rms, "{sp:?}");
}

#[test]
fn verdict_is_a_field_of_results_json_and_old_files_read_without_it() {
    let r = run("symmetry");
    let s = study(&r);
    let json: serde_json::Value = serde_json::from_str(&s.to_json()).expect("json");
    assert_eq!(json["verdict"]["reproduced"], true);
    assert!(
        json["verdict"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("reproduced: "))
    );
    let mut old = json.clone();
    old.as_object_mut().expect("object").remove("verdict");
    let back = StudyResult::from_json(&old.to_string(), "old.json").expect("old file reads");
    assert_eq!(back.verdict, None);
    assert!(
        !back.to_json().contains("\"verdict\""),
        "not written when absent"
    );
}

use common::initlab;

fn tmp(name: &str) -> PathBuf {
    common::scratch("gallery", name)
}

#[test]
fn cli_lists_every_experiment_one_per_line_name_first() {
    let o = initlab(&["gallery"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), EXPERIMENTS.len(), "{text}");
    for (line, e) in lines.iter().zip(EXPERIMENTS) {
        assert!(line.starts_with(&format!("{} ", e.name)), "{line}");
    }
}

#[test]
fn cli_runs_an_experiment_and_the_report_opens_with_claim_and_verdict() {
    let out = tmp("symmetry");
    let o = initlab(&[
        "gallery",
        "symmetry",
        "--reduced",
        "--quiet",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).expect("json"))
            .expect("valid");
    assert_eq!(results["verdict"]["experiment"], "symmetry");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let first = md
        .split("\n\n")
        .nth(1)
        .expect("a paragraph after the title");
    assert!(first.contains("Claim: Hidden units that start"), "{first}");
    assert!(first.contains("Verdict: reproduced: "), "{first}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("reproduced: "));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn cli_exports_a_study_file_that_runs_as_a_study() {
    let dir = tmp("export");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("saxe.json");
    let o = initlab(&[
        "gallery",
        "saxe-deep-linear",
        "--export",
        file.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&file).expect("written");
    let spec = initlab::study::StudySpec::from_json(&text, "saxe.json").expect("a study file");
    assert_eq!(
        spec,
        (by_name("saxe-deep-linear").expect("exists").spec)(Size::Full)
    );
    let bad = initlab(&["gallery", "no-such-experiment"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("symmetry"));
    let _ = std::fs::remove_dir_all(&dir);
}
