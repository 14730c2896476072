//! The desktop app driven headlessly (egui_kittest): default study, a full run, stopping,
//! a broken CSV, and study files.

mod common;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use initlab::app::{InitlabApp, State};
use initlab::report::{Metric, curve};
use initlab::study::StudySpec;

fn harness(app: InitlabApp) -> Harness<'static, InitlabApp> {
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut InitlabApp| app.show(ui), app)
}

/// Steps frames until `done` holds (the worker threads report over a channel).
fn wait_until(
    h: &mut Harness<'static, InitlabApp>,
    what: &str,
    done: impl Fn(&InitlabApp) -> bool,
) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    h.step();
}

fn ready(h: &mut Harness<'static, InitlabApp>) {
    wait_until(h, "the data to be prepared", |a| {
        a.prepared().is_some() && !a.is_busy()
    });
}

fn type_path(h: &mut Harness<'static, InitlabApp>, path: &str) {
    h.state_mut().state.path_input.clear();
    h.step();
    let field = h.get_by_label("Path:");
    field.focus();
    h.step();
    h.get_by_label("Path:").type_text(path);
    h.step();
    assert_eq!(h.state().state.path_input, path);
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = common::scratch("app", name);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

#[test]
fn starts_with_the_default_study_and_a_run_fills_curves_and_table() {
    let mut h = harness(InitlabApp::default());
    assert_eq!(h.state().state.spec, StudySpec::default());
    ready(&mut h);
    assert_eq!(h.state().table().map(|t| t.n_rows), Some(1797));
    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().is_running());
    wait_until(&mut h, "the run to finish", |a| !a.is_running());
    let app = h.state();
    let result = app.result().expect("a result");
    assert!(result.completed);
    let live = app.live().expect("curves");
    let spec = StudySpec::default();
    for init in &spec.initializers {
        let c = curve(&live.runs, &init.to_string(), Metric::ValLoss);
        assert_eq!(
            c.epochs.len(),
            spec.train.epochs + 1,
            "{init}: one point per epoch"
        );
    }
    // The results table shows every initializer (also named in the legend and the study panel).
    for init in &spec.initializers {
        assert!(
            h.query_all_by_label(&init.to_string()).count() >= 2,
            "{init} in the table"
        );
    }
    assert_eq!(result.summary.len(), spec.initializers.len());
    // The paired comparison with the best (issue 13): one "best", and zeros clearly worse.
    assert_eq!(h.query_all_by_label("best").count(), 1);
    assert!(
        h.query_all_by_label("p < 0.001").count() + h.query_all_by_label("p < 0.01").count() >= 1
    );
    assert!(
        result
            .summary
            .iter()
            .all(|s| s.final_val_loss_mean.is_some())
    );
}

#[test]
fn stop_keeps_partial_results() {
    let mut state = State::default();
    state.spec.train.epochs = 500;
    // One shared split, so every arm trains at once and each has epochs when Stop lands. With
    // a split per repeat each repeat is its own group, `threads` of them at a time, and a
    // repeat still waiting for a thread is stopped before its first epoch.
    state.spec.repeat_mode = initlab::study::RepeatMode::Seeds;
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    h.get_by_label("Run").click();
    h.step();
    wait_until(&mut h, "two epochs", |a| {
        a.live()
            .is_some_and(|l| l.runs.iter().all(|r| r.epochs.len() >= 3))
    });
    h.get_by_label("Stop").click();
    h.step();
    wait_until(&mut h, "the run to stop", |a| !a.is_running());
    let r = h.state().result().expect("partial result kept");
    assert!(!r.completed);
    assert!(
        r.runs
            .iter()
            .all(|run| run.epochs.len() >= 3 && run.epochs.len() < 501)
    );
    assert!(
        h.state()
            .status()
            .is_some_and(|s| s.text.contains("partial"))
    );
    assert!(h.state().live().is_some());
    // Issue 21.6: the stopped run is marked as such above its charts and table.
    assert!(h.query_by_label_contains("stopped at epoch").is_some());
}

#[test]
fn a_broken_csv_shows_an_error_and_keeps_the_dataset() {
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    let ragged = format!("{}/tests/fixtures/ragged.csv", env!("CARGO_MANIFEST_DIR"));
    type_path(&mut h, &ragged);
    h.get_by_label("Load CSV").click();
    h.step();
    wait_until(&mut h, "the load to fail", |a| a.status().is_some());
    let status = h.state().status().expect("status").clone();
    assert!(status.error, "{status:?}");
    assert!(
        status
            .text
            .contains("ragged.csv: line 3: 2 fields, but the header has 3"),
        "{}",
        status.text
    );
    assert!(
        h.state()
            .table()
            .is_some_and(|t| t.source == "digits.csv" && t.n_rows == 1797)
    );
    assert_eq!(h.state().state.spec.data, "bundled:digits");
    assert!(
        h.query_by_label_contains("ragged.csv: line 3").is_some(),
        "the error is on screen"
    );
}

#[test]
fn an_edited_study_round_trips_through_a_study_file() {
    let dir = tmp("study");
    let file = dir.join("edited.json");
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    // Edit the initializer list through the UI: the "Variance scaling" preset, then remove its first entry.
    h.get_by_label("Presets").click();
    h.run_steps(3);
    h.get_by_label("Variance scaling").click();
    h.step();
    h.get_by_label("remove lecun-normal").click();
    h.step();
    let edited: Vec<String> = h
        .state()
        .state
        .spec
        .initializers
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        edited,
        ["xavier-normal", "kaiming-normal", "orthogonal", "lsuv"]
    );
    type_path(&mut h, file.to_str().expect("utf8"));
    h.get_by_label("Save study").click();
    h.step();
    assert!(file.is_file(), "study saved");
    let saved = h.state().state.spec.clone();

    // Change the study, then open the saved file again.
    h.get_by_label("Presets").click();
    h.run_steps(3);
    h.get_by_label("The classic five").click();
    h.step();
    assert_ne!(h.state().state.spec, saved);
    h.get_by_label("Open study").click();
    h.step();
    wait_until(&mut h, "the study's data", |a| {
        a.prepared().is_some() && !a.is_busy()
    });
    assert_eq!(h.state().state.spec, saved);
    // And the file runs headless to the same spec.
    let reread = StudySpec::load(&file).expect("valid study file");
    assert_eq!(reread, saved);
    let _ = std::fs::remove_dir_all(dir);
}

/// eframe storage in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn the_last_study_and_view_come_back_on_the_next_launch() {
    let mut state = State::default();
    state.spec.initializers = vec![
        "orthogonal".parse().expect("init"),
        "lsuv".parse().expect("init"),
    ];
    state.spec.train.epochs = 7;
    state.view.log_scale = false;
    state.view.show_dataset_panel = false;
    let mut app = InitlabApp::new(state.clone());
    let mut storage = MemoryStorage::default();
    eframe::App::save(&mut app, &mut storage);
    let restored = InitlabApp::from_storage(Some(&storage));
    assert_eq!(restored.state, state);
    // Nothing stored yet: the default study.
    assert_eq!(
        InitlabApp::from_storage(Some(&MemoryStorage::default())).state,
        State::default()
    );
}

/// Defect: the widgets clamped values to ranges narrower than `validate` allows, so opening a
/// study the CLI runs as written silently changed it (epochs, repeats, widths, learning rate).
#[test]
fn a_study_at_the_limits_opens_unchanged() {
    let dir = tmp("limits");
    let file = dir.join("big.json");
    let mut spec = StudySpec::default();
    spec.train.epochs = 50_000;
    spec.repeats = 500;
    spec.model.hidden = vec![10_000, 3];
    spec.train.lr = 5.0;
    spec.train.batch_size = 100_000;
    spec.prepare.val_fraction = 0.95;
    spec.repeat_mode = initlab::study::RepeatMode::CrossedSplits(250);
    spec.validate().expect("the CLI accepts it");
    std::fs::write(&file, spec.to_json()).expect("writes");
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    type_path(&mut h, file.to_str().expect("utf8"));
    h.get_by_label("Open study").click();
    h.step();
    wait_until(&mut h, "the study's data", |a| {
        a.prepared().is_some() && !a.is_busy()
    });
    h.run_steps(3);
    assert_eq!(h.state().state.spec, spec);
    let _ = std::fs::remove_dir_all(dir);
}

/// Defect: a study too big for memory aborted the process (and the window with the user's
/// unsaved study). Run refuses it with the estimate; the app keeps running.
#[test]
fn a_study_too_big_for_memory_is_refused_and_the_app_keeps_running() {
    let mut state = State::default();
    state.spec.model.hidden = vec![65_536, 65_536];
    state.spec.repeats = 10;
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    assert!(
        h.query_by_label_contains("this study needs about")
            .is_some(),
        "the estimate is shown before running"
    );
    h.get_by_label("Run").click();
    h.step();
    assert!(!h.state().is_running());
    let status = h.state().status().expect("status").clone();
    assert!(
        status.error && status.text.contains("available"),
        "{status:?}"
    );
    h.state_mut().state.spec.model.hidden = vec![16];
    h.state_mut().state.spec.repeats = 1;
    h.state_mut().state.spec.train.epochs = 1;
    h.step();
    h.get_by_label("Run").click();
    h.step();
    wait_until(&mut h, "the smaller run to finish", |a| !a.is_running());
    assert!(h.state().result().is_some_and(|r| r.completed));
}

/// A newly loaded file gets the column users name as the target (`species`), not the last
/// column (`year`), and the panel says which rule chose it.
#[test]
fn loading_a_csv_guesses_the_target_by_name() {
    let dir = tmp("guess");
    let file = dir.join("penguins.csv");
    let mut csv = String::from("species,bill_mm,year\n");
    for i in 0..60 {
        let sp = ["adelie", "gentoo", "chinstrap"][i % 3];
        csv += &format!("{sp},{}.{},{}\n", 35 + i % 20, i % 10, 2007 + i % 3);
    }
    std::fs::write(&file, csv).expect("writes");
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    type_path(&mut h, file.to_str().expect("utf8"));
    h.get_by_label("Load CSV").click();
    h.step();
    wait_until(&mut h, "the file", |a| {
        a.table().is_some_and(|t| t.source == "penguins.csv") && a.prepared().is_some()
    });
    assert_eq!(h.state().state.spec.prepare.target, "species");
    let rule = h.state().target_guess().expect("a guess").rule.to_string();
    assert!(rule.contains("species"), "{rule}");
    assert!(h.query_by_label_contains("target chosen").is_some());
    let _ = std::fs::remove_dir_all(dir);
}

/// The default study cut to 2 epochs, 1 repeat and 16 hidden units, its Run just clicked.
fn short_run_started() -> Harness<'static, InitlabApp> {
    let mut state = State::default();
    state.spec.train.epochs = 2;
    state.spec.repeats = 1;
    state.spec.model.hidden = vec![16];
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    h.get_by_label("Run").click();
    h.step();
    h
}

/// Issue 21.1: results belong to the run that produced them. After a digits run, choosing
/// diabetes keeps the digits results labelled as classification/accuracy, marked out of date.
#[test]
fn switching_the_dataset_never_relabels_old_results() {
    let mut h = short_run_started();
    wait_until(&mut h, "the run", |a| !a.is_running());
    assert!(h.query_by_label_contains("out of date").is_none());
    h.get_by_label("Bundled datasets").click();
    h.run_steps(3);
    h.get_by_label("diabetes").click();
    h.step();
    ready(&mut h);
    let live = h.state().live().expect("results kept");
    assert_eq!(live.task, initlab::data::Task::Classification);
    assert_eq!(live.spec.data, "bundled:digits");
    assert!(h.query_by_label_contains("out of date").is_some());
    assert!(h.query_by_label_contains("Results of digits").is_some());
    assert!(h.query_by_label_contains("Validation accuracy").is_some());
    assert!(
        h.query_by_label_contains("Validation R²").is_none(),
        "never relabelled"
    );
}

/// Issue 21.5: Reset can be undone; the default study is one click away; a disabled Run says
/// why; a settings error clears once fixed.
#[test]
fn reset_can_be_undone_and_a_fixed_error_clears() {
    let mut h = short_run_started();
    assert!(
        h.state()
            .run_blocker()
            .is_some_and(|b| b.contains("running"))
    );
    wait_until(&mut h, "the run", |a| !a.is_running());
    h.get_by_label("Reset").click();
    h.step();
    assert!(h.state().live().is_none());
    h.get_by_label("Undo reset").click();
    h.step();
    assert!(h.state().live().is_some() && h.state().result().is_some());
    // An invalid study: the error shows, and goes away once the study is valid again.
    h.state_mut().state.spec.initializers.clear();
    h.step();
    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().status().is_some_and(|s| s.error));
    h.get_by_label("Defaults").click();
    h.step();
    h.step();
    assert!(
        !h.state().status().is_some_and(|s| s.error),
        "{:?}",
        h.state().status()
    );
    assert_eq!(
        h.state().state.spec.initializers,
        StudySpec::default().initializers
    );
}

/// Issue 21.7: removing an initializer keeps every other initializer's colour.
#[test]
fn removing_an_initializer_keeps_the_other_colours() {
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    let before = h.state().state.colors.clone();
    let kaiming = before.of("kaiming-normal");
    h.get_by_label("remove normal:1").click();
    h.step();
    let after = &h.state().state.colors;
    assert_eq!(after.of("kaiming-normal"), kaiming);
    assert_eq!(after.of("zeros"), before.of("zeros"));
    assert_eq!(after.of("xavier-normal"), before.of("xavier-normal"));
}

/// `initlab FILE`: a CSV opens loaded with its target guessed; a missing file or several files
/// give a message in the app; a results file shows its run without re-training.
#[test]
fn opening_files_from_the_command_line() {
    let dir = tmp("open-files");
    let csv = dir.join("measurements.csv");
    let mut text = String::from("label,a,b\n");
    for i in 0..40 {
        text += &format!("{},{}.5,{}\n", i % 2, i, 40 - i);
    }
    std::fs::write(&csv, text).expect("writes");
    let mut app = InitlabApp::default();
    app.open_files(std::slice::from_ref(&csv));
    let mut h = harness(app);
    wait_until(&mut h, "the CSV", |a| {
        a.table().is_some_and(|t| t.source == "measurements.csv") && a.prepared().is_some()
    });
    assert_eq!(h.state().state.spec.prepare.target, "label");
    assert!(
        h.state().title().starts_with("measurements.csv"),
        "{}",
        h.state().title()
    );

    let mut app = InitlabApp::default();
    app.open_files(&[dir.join("missing.csv")]);
    let h = harness(app);
    let s = h.state().status().expect("a message").clone();
    assert!(
        s.error && s.text.contains("missing.csv: no such file"),
        "{s:?}"
    );
    assert_eq!(
        h.state().table().map(|t| t.n_rows),
        Some(1797),
        "the default study stays"
    );

    let mut app = InitlabApp::default();
    app.open_files(&[csv.clone(), dir.join("other.csv")]);
    let s = app.status().expect("a message").clone();
    assert!(
        s.text.contains("one file at a time") && s.text.contains("other.csv"),
        "{s:?}"
    );

    // A results file: run a short study headless, then open its results.json.
    let mut spec = StudySpec::default();
    spec.train.epochs = 1;
    spec.repeats = 1;
    spec.repeat_mode = initlab::study::RepeatMode::Seeds;
    spec.model.hidden = vec![8];
    let (_t, data) = initlab::study::load_data(&spec, None, &mut |_| {}).expect("data");
    let result = initlab::study::run_study(
        &spec,
        &data,
        &initlab::study::RunOptions { threads: 1 },
        &|_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .expect("runs");
    let results = dir.join("results.json");
    std::fs::write(&results, result.to_json()).expect("writes");
    let mut app = InitlabApp::default();
    app.open_files(&[results]);
    let mut h = harness(app);
    ready(&mut h);
    assert_eq!(h.state().result(), Some(&result));
    assert!(!h.state().is_running());
    assert!(h.query_by_label_contains("Results of digits").is_some());
    let _ = std::fs::remove_dir_all(dir);
}

/// The Theory tab shows the phase diagram and every initializer's coordinates before any
/// training, and follows the study as it is edited.
#[test]
fn the_theory_tab_places_every_initializer_without_training() {
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    h.get_by_label("Theory").click();
    h.run_steps(3);
    assert!(!h.state().is_running() && h.state().result().is_none());
    assert!(h.query_by_label_contains("Phase diagram").is_some());
    assert!(
        h.query_by_label_contains("Mean-field theory at initialization for tanh")
            .is_some()
    );
    for init in &StudySpec::default().initializers {
        assert!(
            h.query_all_by_label(&init.to_string()).count() >= 2,
            "{init} in the table (and the study panel)"
        );
    }
    // normal:1 and kaiming-normal on tanh sit in the chaotic phase, small weights in order.
    assert!(h.query_all_by_label("chaotic").count() >= 2);
    assert!(h.query_all_by_label("ordered").count() >= 1);
    h.state_mut().state.spec.model.activation = initlab::activation::Activation::Relu;
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("initialization for relu")
            .is_some()
    );
}

/// The repeat-mode selector offers S splits crossed with the repeats, starting at half the
/// repeats (two initializations per split, what the report's decomposition needs).
#[test]
fn the_repeat_mode_selector_offers_crossed_splits() {
    use initlab::study::RepeatMode;
    let mut state = State::default();
    state.spec.repeats = 6;
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    assert_eq!(h.state().state.spec.repeat_mode, RepeatMode::Splits);
    h.get_by_label("Repeats vary").click();
    h.run_steps(3);
    h.get_by_label("weights × S splits").click();
    h.run_steps(3);
    assert_eq!(
        h.state().state.spec.repeat_mode,
        RepeatMode::CrossedSplits(3)
    );
}

/// A 2 x 2 sweep on iris (depth 1, 2 x gain 0.5, 1), two initializers, one repeat, 2 epochs.
fn small_sweep() -> State {
    let mut state = State::default();
    let spec = &mut state.spec;
    spec.data = "bundled:iris".into();
    spec.model.hidden = vec![8];
    spec.initializers = vec![
        "xavier-normal".parse().expect("init"),
        "kaiming-normal".parse().expect("init"),
    ];
    spec.repeats = 1;
    spec.train.epochs = 2;
    spec.sweep = Some(initlab::study::Sweep {
        axes: vec![
            initlab::study::Axis::parse_arg("depth=1,2").expect("axis"),
            initlab::study::Axis::parse_arg("gain=0.5,1").expect("axis"),
        ],
        ..Default::default()
    });
    state
}

/// Issue 14: Run trains every point of the sweep, the Sweep tab shows a heatmap cell per point
/// and initializer, and clicking a cell opens that point's curves and table. The numbers are
/// the headless engine's (`initlab run --study`), and the export and a reopened results file
/// show the same sweep without re-training.
#[test]
fn a_sweep_runs_and_a_heatmap_cell_opens_its_point() {
    let mut h = harness(InitlabApp::new(small_sweep()));
    ready(&mut h);
    let spec = h.state().state.spec.clone();
    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().is_running());
    wait_until(&mut h, "the sweep to finish", |a| !a.is_running());
    let sweep = h.state().sweep().expect("a sweep result").clone();
    assert!(sweep.completed, "{:?}", h.state().status());
    assert_eq!(sweep.points.len(), 4);
    assert!(
        h.query_by_label_contains("share of repeats that trained")
            .is_some()
    );
    // The same numbers as the library's run (what `initlab run --study` calls).
    let (resolved, tables) =
        initlab::study::sweep::load_tables(&spec, None, &mut |_| {}).expect("tables");
    let headless = initlab::study::sweep::run_sweep(
        &resolved,
        &tables,
        &initlab::study::RunOptions { threads: 1 },
        &|_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .expect("runs");
    for (a, b) in sweep.points.iter().zip(&headless.points) {
        assert_eq!(a.result.runs, b.result.runs, "point {:?}", a.coords);
        assert_eq!(a.trainability, b.trainability);
    }
    // Click the cell of xavier-normal at depth 2, gain 1 (the fourth point).
    h.get_by_label("xavier-normal at depth 2, gain 1").click();
    h.run_steps(2);
    assert_eq!(
        h.state().open_point(),
        Some((3, "depth 2, gain 1".to_owned()))
    );
    assert!(
        h.query_by_label_contains("Sweep point 4: depth 2, gain 1")
            .is_some()
    );
    assert!(h.query_by_label_contains("Results of iris").is_some());
    assert!(h.query_by_label("Validation loss").is_some(), "its curves");
    let xavier = &sweep.points[3].result.summary[0];
    let cell = initlab::report::pm(xavier.final_val_loss_mean, xavier.final_val_loss_std);
    assert!(
        h.query_by_label_contains("Results (mean").is_some()
            && h.query_all_by_label(&cell).count() >= 1,
        "its table, with this point's final validation loss {cell}"
    );
    h.get_by_label("Back to the sweep").click();
    h.run_steps(2);
    assert!(
        h.query_by_label("kaiming-normal at depth 1, gain 0.5")
            .is_some()
    );

    // Export the sweep's report, then open its results.json: shown as it was.
    let dir = tmp("sweep").join("report");
    h.state_mut().export_report(Some(dir.clone()));
    wait_until(&mut h, "the export", |a| a.last_export().is_some());
    assert!(dir.join("points.csv").is_file() && dir.join("report.html").is_file());
    let mut app = InitlabApp::default();
    app.open_files(&[dir.join("results.json")]);
    let mut h = harness(app);
    ready(&mut h);
    assert!(!h.state().is_running());
    assert_eq!(h.state().sweep().map(|s| &s.points), Some(&sweep.points));
    assert!(
        h.query_by_label("xavier-normal at depth 1, gain 1")
            .is_some()
    );
    let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
}

/// A value out of range shows its error beside the axis and leaves the study's sweep as it
/// was; Run then refuses. A grid above the network limit waits for a confirmation.
#[test]
fn a_bad_sweep_value_is_an_inline_error_and_a_big_grid_asks_first() {
    let state = small_sweep();
    let before = state.spec.sweep.clone();
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    h.get_by_label("depth values").focus();
    h.step();
    h.get_by_label("depth values").type_text(",300");
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("sweep axis 'depth': value 300 is out of range (1..=200)")
            .is_some(),
        "the error is shown beside the axis"
    );
    assert_eq!(h.state().state.spec.sweep, before, "the sweep is unchanged");
    h.get_by_label("Run").click();
    h.step();
    assert!(!h.state().is_running());
    assert!(
        h.state()
            .status()
            .is_some_and(|s| s.error && s.text.contains("fix the sweep"))
    );

    // 200 depths x 2 initializers x 3 repeats = 1200 networks: Run asks first.
    let mut state = small_sweep();
    state.spec.repeats = 3;
    if let Some(s) = &mut state.spec.sweep {
        s.axes = vec![initlab::study::Axis::parse_arg("depth=1..200").expect("axis")];
    }
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    assert!(
        h.query_by_label_contains("200 points, 1200 networks")
            .is_some()
    );
    h.get_by_label("Run").click();
    h.step();
    assert!(!h.state().is_running());
    assert!(
        h.query_by_label_contains("above the limit of 1000")
            .is_some()
    );
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.query_by_label("Run anyway").is_none());

    // A data entry that fails to load: the error names it beside the sweep.
    let mut state = small_sweep();
    if let Some(s) = &mut state.spec.sweep {
        s.axes = vec![
            initlab::study::Axis::parse_arg("data=bundled:iris,no-such-file.csv").expect("axis"),
        ];
    }
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    h.get_by_label("Run").click();
    h.step();
    wait_until(&mut h, "the sweep to fail", |a| !a.is_running());
    h.step();
    let failed = h
        .query_by_label_contains("The last sweep failed")
        .expect("the failure is shown in the sweep section");
    let text = format!("{failed:?}");
    assert!(text.contains("no-such-file.csv"), "{text}");
    assert!(h.state().sweep().is_none());
}

/// Stop keeps every finished point and the finished epochs of the others; points fill in
/// while the sweep trains.
#[test]
fn stopping_a_sweep_keeps_its_finished_points() {
    let mut state = small_sweep();
    state.spec.data = "bundled:digits".into();
    state.spec.train.epochs = 200;
    if let Some(s) = &mut state.spec.sweep {
        s.axes = vec![initlab::study::Axis::parse_arg("depth=1..8").expect("axis")];
    }
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    h.get_by_label("Run").click();
    h.step();
    wait_until(&mut h, "a first finished point", |a| {
        a.sweep()
            .is_some_and(|s| s.points.iter().any(|p| p.result.completed))
    });
    assert!(
        h.state().is_running(),
        "the first point finished before the sweep"
    );
    let done: Vec<usize> = (0..8)
        .filter(|&p| {
            h.state()
                .sweep()
                .is_some_and(|s| s.points[p].result.completed)
        })
        .collect();
    h.get_by_label("Stop").click();
    h.step();
    wait_until(&mut h, "the sweep to stop", |a| !a.is_running());
    let sweep = h.state().sweep().expect("partial sweep kept");
    assert!(!sweep.completed);
    assert_eq!(sweep.points.len(), 8);
    for p in done {
        assert!(sweep.points[p].result.completed, "point {p} stays finished");
    }
    let partial = sweep.points.iter().flat_map(|p| &p.result.runs);
    assert!(partial.clone().all(|r| r.epochs.len() <= 201));
    assert!(
        partial.clone().any(|r| r.epochs.len() < 201),
        "some runs were stopped"
    );
    assert!(
        h.state()
            .status()
            .is_some_and(|s| s.text.contains("finished points and epochs kept"))
    );
}

/// Issue 13 in the app: a finished sweep ranks its initializers across points (Friedman's test
/// and the critical-difference diagram), with the same statistic as the sweep report.
#[test]
fn a_finished_sweep_ranks_the_initializers_across_points() {
    let mut state = small_sweep();
    state.spec.initializers = ["xavier-normal", "kaiming-normal", "zeros"]
        .iter()
        .map(|n| n.parse().expect("init"))
        .collect();
    state.spec.sweep = Some(initlab::study::Sweep {
        axes: vec![initlab::study::Axis::parse_arg("depth=1,2,3").expect("axis")],
        ..Default::default()
    });
    let mut h = harness(InitlabApp::new(state));
    ready(&mut h);
    h.get_by_label("Run").click();
    h.step();
    wait_until(&mut h, "the sweep to finish", |a| !a.is_running());
    h.run_steps(2);
    let sweep = h.state().sweep().expect("a sweep result").clone();
    let report = initlab::report::sweep::cross_point(&sweep).expect("comparable points");
    let f = report.friedman.expect("friedman");
    assert!(h.query_by_label_contains("Ranking across points").is_some());
    let sentence = format!(
        "Friedman's test over 3 points and 3 initializers: χ² = {}",
        initlab::report::num(f.chi2)
    );
    assert!(h.query_by_label_contains(&sentence).is_some(), "{sentence}");
}

#[test]
fn gallery_opens_the_symmetry_experiment_runs_it_and_shows_its_verdict() {
    let mut h = harness(InitlabApp::default());
    ready(&mut h);
    h.get_by_label("Gallery").click();
    // A window sizes itself on its first frame and shows on the next.
    for _ in 0..3 {
        h.step();
    }
    h.get_by_label("symmetry").click();
    h.step();
    let expected = (initlab::gallery::by_name("symmetry")
        .expect("experiment")
        .spec)(initlab::gallery::Size::Full);
    assert_eq!(h.state().state.spec, expected, "its study is loaded");
    ready(&mut h);
    assert!(h.query_by_label_contains("Claim: Hidden units").is_some());
    h.get_by_label("Run").click();
    h.step();
    wait_until(&mut h, "the run to finish", |a| !a.is_running());
    wait_until(&mut h, "the verdict", |a| a.gallery_verdict().is_some());
    let v = h.state().gallery_verdict().expect("verdict").clone();
    assert!(v.reproduced, "{}", v.text);
    assert_eq!(
        h.state().result().and_then(|r| r.verdict.as_ref()),
        Some(&v)
    );
    assert!(
        h.query_by_label_contains("Verdict: reproduced: over all 20 epochs")
            .is_some(),
        "the verdict is on screen"
    );
}

/// Issue 17: a study trained as two shards and merged opens in the app like any results file,
/// with its curves, and equals a single-machine run apart from wall time and environment.
#[test]
fn a_merged_sharded_study_opens_with_its_curves() {
    use initlab::study::shard::{Shard, merge, run_shard};
    use initlab::study::{Results, RunOptions, sweep::load_tables};
    use std::sync::atomic::AtomicBool;
    let mut spec = StudySpec {
        data: "bundled:iris".into(),
        ..StudySpec::default()
    };
    spec.prepare.target = "species".into();
    spec.train.epochs = 3;
    spec.repeats = 2;
    spec.model.hidden = vec![8];
    let (spec, tables) = load_tables(&spec, None, &mut |_| {}).expect("data");
    let options = RunOptions { threads: 1 };
    let parts: Vec<(String, _)> = (0..2)
        .map(|index| {
            let shard = Shard { index, count: 2 };
            let part = run_shard(
                &spec,
                &tables,
                shard,
                &options,
                &|_| {},
                &AtomicBool::new(false),
            )
            .expect("shard");
            (shard.file_name(), part)
        })
        .collect();
    let Results::Study(merged) = merge(&parts).expect("merges") else {
        panic!("a plain study merges to a study result")
    };
    let single = initlab::study::run_study_table(
        &spec,
        &tables[0],
        &options,
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs");
    assert_eq!(merged.runs, single.runs);
    assert_eq!(merged.summary, single.summary);
    let dir = tmp("merged");
    let file = dir.join("results.json");
    std::fs::write(&file, merged.to_json()).expect("writes");
    let mut app = InitlabApp::default();
    app.open_files(&[file]);
    let mut h = harness(app);
    ready(&mut h);
    assert_eq!(h.state().result(), Some(&*merged));
    assert!(h.query_by_label_contains("Training loss").is_some());
    assert!(h.query_by_label_contains("Results of iris").is_some());
    let _ = std::fs::remove_dir_all(dir);
}
