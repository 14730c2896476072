//! The desktop app: edit a study, load data, watch every initializer train side by side, export
//! the report. `InitlabApp::show` draws one frame and is what both eframe and the headless UI
//! tests drive.

mod dataset_panel;
mod jobs;
mod layers;
mod plots;
mod results_table;
mod state;
mod study_panel;
mod widgets;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

pub use jobs::DialogPurpose;
pub use state::{State, ViewSettings};

use crate::data::bundled::Bundled;
use crate::data::{LoadProgress, PrepareOptions, PreparedData, Table};
use crate::study::{DataSource, RunResult, StudyResult, StudySpec, total_steps};
use crate::train::TrainEvent;
use jobs::{Mailbox, Msg};

/// A message for the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub error: bool,
    pub text: String,
}

/// A training run in progress.
struct Running {
    cancel: Arc<AtomicBool>,
    started: Instant,
    total_steps: usize,
    done_steps: usize,
    /// Training samples of the whole study, for throughput.
    total_samples: f64,
}

/// Runs as they grow: the spec they were started with and one history per arm.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub spec: StudySpec,
    pub runs: Vec<RunResult>,
}

impl Live {
    fn new(spec: StudySpec) -> Self {
        let runs = spec
            .arms()
            .iter()
            .map(|a| RunResult {
                initializer: a.initializer.to_string(),
                repeat: a.repeat,
                diverged: false,
                diverged_epoch: None,
                epochs: Vec::new(),
                lsuv: None,
                diagnostics: None,
            })
            .collect();
        Self { spec, runs }
    }

    fn from_result(r: &StudyResult) -> Self {
        Self {
            spec: r.spec.clone(),
            runs: r.runs.clone(),
        }
    }
}

/// The application.
pub struct InitlabApp {
    pub state: State,
    mailbox: Option<Mailbox>,
    tx: std::sync::mpsc::Sender<Msg>,
    rx: Receiver<Msg>,

    table: Option<Arc<Table>>,
    /// The source `table` came from.
    source: Option<DataSource>,
    load_generation: u64,
    loading: Option<(DataSource, LoadProgress)>,
    prepared: Option<Result<Arc<PreparedData>, String>>,
    prepare_generation: u64,
    /// The options the current (or pending) preparation was asked for.
    prepared_key: Option<(PrepareOptions, u64, u64)>,

    running: Option<Running>,
    live: Option<Live>,
    result: Option<StudyResult>,
    exporting: bool,
    last_export: Option<PathBuf>,

    status: Option<Status>,
    results_sort: results_table::Sort,
    /// The central view: curves (false) or per-layer diagnostics (true).
    show_layers: bool,
    layer_metric: layers::LayerMetric,
    final_histograms: bool,
    /// Startup work that needs the UI context (known from the first frame on).
    needs_initial_load: bool,
    /// Frame timings, collected when INITLAB_FRAME_STATS is set (printed at exit).
    frame_stats: Option<FrameStats>,
}

/// How often the UI redraws while a study trains. Redrawing on every training event took
/// frames (and, with a software renderer, CPU) from the training threads; ten frames a second
/// keeps the curves and progress bar live.
const LIVE_FRAME_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// Time spent building each frame and the interval between frames, split by whether training
/// was running, to check that the UI stays responsive while the worker trains.
#[derive(Default)]
struct FrameStats {
    last: Option<Instant>,
    /// (build ms, interval ms, training)
    samples: Vec<(f64, f64, bool)>,
}

impl FrameStats {
    fn report(&self) -> String {
        let mut out = String::new();
        for training in [false, true] {
            let mut build: Vec<f64> = self
                .samples
                .iter()
                .filter(|s| s.2 == training)
                .map(|s| s.0)
                .collect();
            let mut gap: Vec<f64> = self
                .samples
                .iter()
                .filter(|s| s.2 == training)
                .map(|s| s.1)
                .collect();
            if build.is_empty() {
                continue;
            }
            build.sort_by(f64::total_cmp);
            gap.sort_by(f64::total_cmp);
            let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
            out += &format!(
                "{} frames {}: build median {:.2} ms, p99 {:.2} ms, max {:.2} ms; interval median {:.1} ms, p99 {:.1} ms, max {:.1} ms\n",
                build.len(),
                if training {
                    "while training"
                } else {
                    "while idle"
                },
                q(&build, 0.5),
                q(&build, 0.99),
                q(&build, 1.0),
                q(&gap, 0.5),
                q(&gap, 0.99),
                q(&gap, 1.0)
            );
        }
        out
    }
}

impl Default for InitlabApp {
    fn default() -> Self {
        Self::new(State::default())
    }
}

impl InitlabApp {
    /// An app with `state` (the bundled default study when fresh). Bundled data loads at once;
    /// a file loads in the background from the first frame.
    pub fn new(state: State) -> Self {
        let (tx, rx) = channel();
        let mut app = Self {
            state,
            mailbox: None,
            tx,
            rx,
            table: None,
            source: None,
            load_generation: 0,
            loading: None,
            prepared: None,
            prepare_generation: 0,
            prepared_key: None,
            running: None,
            live: None,
            result: None,
            exporting: false,
            last_export: None,
            status: None,
            results_sort: results_table::Sort::default(),
            show_layers: false,
            layer_metric: layers::LayerMetric::default(),
            final_histograms: false,
            needs_initial_load: false,
            frame_stats: std::env::var_os("INITLAB_FRAME_STATS").map(|_| FrameStats::default()),
        };
        match app.state.spec.data_source(None) {
            DataSource::Bundled(b) => app.use_bundled(b),
            DataSource::File(_) => app.needs_initial_load = true,
        }
        app
    }

    /// Restores the last session from eframe's storage, or starts fresh.
    pub fn from_storage(storage: Option<&dyn eframe::Storage>) -> Self {
        let state = storage
            .and_then(|s| eframe::get_value::<State>(s, eframe::APP_KEY))
            .unwrap_or_default();
        Self::new(state)
    }

    // ----- read access for the UI tests and the panels -----

    pub fn table(&self) -> Option<&Table> {
        self.table.as_deref()
    }

    pub fn prepared(&self) -> Option<&PreparedData> {
        self.prepared
            .as_ref()
            .and_then(|p| p.as_ref().ok())
            .map(|p| p.as_ref())
    }

    pub fn live(&self) -> Option<&Live> {
        self.live.as_ref()
    }

    pub fn result(&self) -> Option<&StudyResult> {
        self.result.as_ref()
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    pub fn is_busy(&self) -> bool {
        self.running.is_some() || self.loading.is_some() || self.exporting || self.preparing()
    }

    pub fn last_export(&self) -> Option<&Path> {
        self.last_export.as_deref()
    }

    fn preparing(&self) -> bool {
        self.prepared.is_none() && self.table.is_some()
    }

    fn set_status(&mut self, error: bool, text: impl Into<String>) {
        self.status = Some(Status {
            error,
            text: text.into(),
        });
    }

    // ----- actions -----

    fn use_bundled(&mut self, b: &'static Bundled) {
        match b.load() {
            Ok(t) => self.accept_table(DataSource::Bundled(b), Arc::new(t)),
            Err(e) => self.set_status(true, e.to_string()),
        }
    }

    /// Loads a CSV in the background; the current dataset stays until it succeeds.
    pub fn load_csv(&mut self, path: &Path) {
        self.request_load(DataSource::File(path.to_path_buf()));
    }

    fn request_load(&mut self, source: DataSource) {
        if let DataSource::Bundled(b) = source {
            self.load_generation += 1;
            self.loading = None;
            self.use_bundled(b);
            return;
        }
        self.load_generation += 1;
        let progress = LoadProgress {
            bytes_done: 0,
            bytes_total: 0,
            rows: 0,
        };
        self.loading = Some((source.clone(), progress));
        match &self.mailbox {
            Some(mb) => jobs::load(mb, self.load_generation, source),
            None => self.needs_initial_load = true,
        }
    }

    fn accept_table(&mut self, source: DataSource, table: Arc<Table>) {
        self.state.spec.data = match &source {
            DataSource::Bundled(b) => format!("bundled:{}", b.name),
            DataSource::File(p) => p.display().to_string(),
        };
        let prep = &mut self.state.spec.prepare;
        if table.column_index(&prep.target).is_none() {
            // A new file: predict its last column unless the user picks another.
            prep.target = match source {
                DataSource::Bundled(b) => b.target.to_owned(),
                DataSource::File(_) => table
                    .columns
                    .last()
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
            };
            prep.ignore.clear();
        }
        prep.ignore.retain(|n| table.column_index(n).is_some());
        self.table = Some(table);
        self.source = Some(source);
        self.prepared = None;
        self.prepared_key = None;
    }

    /// Replaces the study with the one in `path` and loads its data.
    pub fn open_study(&mut self, path: &Path) {
        match StudySpec::load(path) {
            Ok(spec) => {
                let source = spec.data_source(path.parent());
                self.state.spec = spec;
                self.prepared = None;
                self.prepared_key = None;
                self.set_status(false, format!("opened study {}", path.display()));
                self.request_load(source);
            }
            Err(e) => self.set_status(true, e.to_string()),
        }
    }

    pub fn save_study(&mut self, path: &Path) {
        match crate::files::write_atomic(path, self.state.spec.to_json().as_bytes()) {
            Ok(()) => self.set_status(false, format!("saved study to {}", path.display())),
            Err(e) => self.set_status(true, format!("{}: cannot save: {e}", path.display())),
        }
    }

    /// Starts training the current study on the prepared data.
    pub fn start_run(&mut self) {
        if self.running.is_some() {
            return;
        }
        let Some(data) = self
            .prepared
            .as_ref()
            .and_then(|p| p.as_ref().ok())
            .cloned()
        else {
            self.set_status(
                true,
                "the data is not ready: fix the dataset settings first",
            );
            return;
        };
        if let Err(e) = self.state.spec.validate() {
            self.set_status(true, e.to_string());
            return;
        }
        let Some(mb) = self.mailbox.clone() else {
            return;
        };
        let spec = self.state.spec.clone();
        let threads = crate::study::RunOptions::default().threads;
        let cancel = Arc::new(AtomicBool::new(false));
        self.running = Some(Running {
            cancel: cancel.clone(),
            started: Instant::now(),
            total_steps: total_steps(&spec, &data, threads),
            done_steps: 0,
            total_samples: (spec.arms().len() * spec.train.epochs * data.n_train()) as f64,
        });
        self.live = Some(Live::new(spec.clone()));
        self.result = None;
        self.status = None;
        jobs::train(&mb, spec, data, cancel);
    }

    pub fn stop_run(&mut self) {
        if let Some(r) = &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    pub fn reset(&mut self) {
        if self.running.is_none() {
            self.live = None;
            self.result = None;
            self.status = None;
        }
    }

    /// Exports the report of the last result into `dir` (a new folder).
    pub fn export_report(&mut self, dir: Option<PathBuf>) {
        let (Some(result), Some(mb)) = (self.result.clone(), self.mailbox.clone()) else {
            self.set_status(true, "nothing to export yet: run the study first");
            return;
        };
        let dir = dir.unwrap_or_else(|| {
            let stem = Path::new(result.data.file.as_str())
                .file_stem()
                .map_or_else(|| "study".into(), |s| s.to_string_lossy().into_owned());
            crate::report::unique_dir(
                &PathBuf::from("reports").join(format!("{stem}-{}", crate::files::timestamp())),
            )
        });
        self.exporting = true;
        jobs::export(&mb, result, dir);
    }

    fn open_dialog(&mut self, purpose: DialogPurpose) {
        let suggested = match purpose {
            DialogPurpose::SaveStudy => "study.json".to_owned(),
            DialogPurpose::ExportReport => format!("report-{}", crate::files::timestamp()),
            _ => String::new(),
        };
        if let Some(mb) = &self.mailbox {
            jobs::dialog(mb, purpose, suggested);
        }
    }

    /// Acts on a path chosen in a dialog or typed in the path field.
    fn use_path(&mut self, purpose: DialogPurpose, path: PathBuf) {
        self.state.path_input = path.display().to_string();
        match purpose {
            DialogPurpose::OpenCsv => self.load_csv(&path),
            DialogPurpose::OpenStudy => self.open_study(&path),
            DialogPurpose::SaveStudy => self.save_study(&path),
            DialogPurpose::ExportReport => self.export_report(Some(path)),
        }
    }

    // ----- messages -----

    fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.handle(msg);
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::LoadProgress { generation, progress } => {
                if generation == self.load_generation
                    && let Some((_, p)) = &mut self.loading
                {
                    *p = progress;
                }
            }
            Msg::Loaded { generation, source, result } => {
                if generation != self.load_generation {
                    return;
                }
                self.loading = None;
                match result {
                    Ok(table) => {
                        let text = format!("loaded {} ({} rows, {} columns)", table.source, table.n_rows, table.columns.len());
                        self.accept_table(source, table);
                        self.set_status(false, text);
                    }
                    Err(e) => {
                        let kept = if self.table.is_some() { " (the previous dataset is kept)" } else { "" };
                        self.set_status(true, format!("{e}{kept}"));
                        if self.table.is_none() {
                            self.use_bundled(&crate::data::bundled::BUNDLED[0]);
                        }
                    }
                }
            }
            Msg::Prepared { generation, result } => {
                if generation == self.prepare_generation {
                    self.prepared = Some(result);
                }
            }
            Msg::Train(e) => self.on_train_event(e),
            Msg::Finished(result) => {
                if let Some(stats) = &self.frame_stats {
                    eprint!("{}", stats.report());
                }
                let stopped = self.running.take().is_some_and(|r| r.cancel.load(Ordering::Relaxed));
                match result {
                    Ok(r) => {
                        if self.frame_stats.is_some() {
                            eprintln!("study wall time {:.2} s", r.wall_seconds);
                        }
                        self.live = Some(Live::from_result(&r));
                        let text = if r.completed {
                            format!("finished in {:.1} s", r.wall_seconds)
                        } else {
                            format!("stopped after {:.1} s: partial results kept", r.wall_seconds)
                        };
                        self.set_status(false, text);
                        self.result = Some(*r);
                    }
                    Err(e) => self.set_status(true, format!("training failed: {e}{}", if stopped { " (stopped)" } else { "" })),
                }
            }
            Msg::Dialog { purpose, path, seconds } => match path {
                Some(p) => self.use_path(purpose, p),
                None if seconds < 0.5 => self.set_status(
                    true,
                    "no file dialog is available on this system: type or paste a path in the Path field and use the buttons beside it",
                ),
                None => {}
            },
            Msg::Exported(r) => {
                self.exporting = false;
                match r {
                    Ok(dir) => {
                        self.set_status(false, format!("report written to {}", dir.join("report.html").display()));
                        self.last_export = Some(dir);
                    }
                    Err(e) => self.set_status(true, e),
                }
            }
        }
    }

    fn on_train_event(&mut self, e: TrainEvent) {
        let Some(live) = &mut self.live else { return };
        match e {
            TrainEvent::Epoch { arm, metrics } => {
                if let Some(run) = live.runs.get_mut(arm) {
                    run.epochs.push(metrics);
                }
            }
            TrainEvent::Diverged { arm, epoch } => {
                if let Some(run) = live.runs.get_mut(arm) {
                    run.diverged = true;
                    run.diverged_epoch = Some(epoch);
                }
            }
            TrainEvent::Steps { steps } => {
                if let Some(r) = &mut self.running {
                    r.done_steps += steps;
                }
            }
            TrainEvent::InitialHistograms { arm, histograms } => {
                if let Some(run) = live.runs.get_mut(arm) {
                    run.diagnostics
                        .get_or_insert_with(Default::default)
                        .histograms_init = histograms;
                }
            }
            TrainEvent::Diagnostics { arm, diagnostics } => {
                if let Some(run) = live.runs.get_mut(arm) {
                    run.diagnostics
                        .get_or_insert_with(Default::default)
                        .epochs
                        .push(diagnostics);
                }
            }
        }
    }

    /// Starts preparation when the data or its settings changed.
    fn refresh_preparation(&mut self) {
        let (Some(table), Some(mb)) = (self.table.clone(), self.mailbox.clone()) else {
            return;
        };
        let key = (
            self.state.spec.prepare.clone(),
            self.state.spec.seed,
            self.load_generation,
        );
        if self.prepared_key.as_ref() == Some(&key) {
            return;
        }
        self.prepared_key = Some(key);
        self.prepared = None;
        self.prepare_generation += 1;
        jobs::prepare_data(
            &mb,
            self.prepare_generation,
            table,
            self.state.spec.prepare.clone(),
            self.state.spec.seed,
        );
    }

    // ----- drawing -----

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let frame_start = Instant::now();
        self.show_frame(ui);
        let training = self.running.is_some();
        if let Some(stats) = &mut self.frame_stats {
            // The first frame of a run follows an idle gap of any length: count its interval
            // only when the frame before it was a training frame too.
            let previous_training = stats.samples.last().is_some_and(|s| s.2);
            let interval = match stats.last {
                Some(t) if !training || previous_training => {
                    frame_start.duration_since(t).as_secs_f64() * 1e3
                }
                _ => 0.0,
            };
            stats.last = Some(frame_start);
            stats.samples.push((
                frame_start.elapsed().as_secs_f64() * 1e3,
                interval,
                training,
            ));
        }
    }

    fn show_frame(&mut self, ui: &mut egui::Ui) {
        if self.mailbox.is_none() {
            self.mailbox = Some(Mailbox {
                tx: self.tx.clone(),
                ctx: ui.ctx().clone(),
            });
        }
        if self.needs_initial_load {
            self.needs_initial_load = false;
            let source = self
                .loading
                .take()
                .map_or_else(|| self.state.spec.data_source(None), |(s, _)| s);
            self.request_load(source);
        }
        self.drain();
        self.handle_dropped_files(ui);
        self.refresh_preparation();

        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
        if self.state.view.show_dataset_panel {
            egui::Panel::left("dataset")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("dataset-scroll")
                        .show(ui, |ui| dataset_panel::ui(self, ui));
                });
        }
        if self.state.view.show_study_panel {
            egui::Panel::right("study")
                .resizable(true)
                .default_size(320.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("study-scroll")
                        .show(ui, |ui| {
                            ui.add_enabled_ui(self.running.is_none(), |ui| {
                                study_panel::ui(&mut self.state.spec, ui)
                            });
                        });
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("central-scroll")
                .show(ui, |ui| self.central(ui));
        });
        if self.running.is_some() {
            ui.ctx().request_repaint_after(LIVE_FRAME_INTERVAL);
        }
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.heading("initlab");
            ui.separator();
            let can_run = self.running.is_none() && self.prepared().is_some();
            let run = ui
                .add_enabled(can_run, egui::Button::new(egui::RichText::new("Run").strong()))
                .on_hover_text("Train every initializer side by side (same data, batches and optimizer)");
            if run.clicked() {
                self.start_run();
            }
            if ui.add_enabled(self.running.is_some(), egui::Button::new("Stop")).on_hover_text("Stop between two steps; keep what has been trained").clicked() {
                self.stop_run();
            }
            if ui.add_enabled(self.running.is_none() && self.live.is_some(), egui::Button::new("Reset")).clicked() {
                self.reset();
            }
            if let Some(r) = &self.running {
                let frac = if r.total_steps == 0 { 0.0 } else { (r.done_steps as f32 / r.total_steps as f32).min(1.0) };
                let elapsed = r.started.elapsed().as_secs_f64();
                let epoch = self.live.as_ref().map_or(0, |l| l.runs.iter().filter_map(|x| x.epochs.last().map(|e| e.epoch)).max().unwrap_or(0));
                let epochs = self.live.as_ref().map_or(0, |l| l.spec.train.epochs);
                let eta = if frac > 0.01 { format!("{:.0} s left", elapsed * (1.0 - frac as f64) / frac as f64) } else { "…".into() };
                let rate = if elapsed > 0.0 { frac as f64 * r.total_samples / elapsed } else { 0.0 };
                ui.add(egui::ProgressBar::new(frac).desired_width(220.0).text(format!("epoch {epoch}/{epochs} · {eta} · {:.0}k samples/s", rate / 1e3)));
            }
            ui.separator();
            let can_export = self.result.is_some() && !self.exporting;
            if ui.add_enabled(can_export, egui::Button::new("Export report")).on_hover_text("Write report.html, report.md, results.json, study.json and curves.csv to reports/<dataset>-<date-time>/").clicked() {
                self.export_report(None);
            }
            if ui.add_enabled(can_export, egui::Button::new("Export to…")).on_hover_text("Choose the new report folder in a dialog").clicked() {
                self.open_dialog(DialogPurpose::ExportReport);
            }
            ui.separator();
            let view = &mut self.state.view;
            ui.checkbox(&mut view.log_scale, "log scale");
            ui.checkbox(&mut view.show_bands, "min–max bands");
            ui.add(egui::Slider::new(&mut view.smoothing, 0.0..=0.95).text("smoothing"));
            ui.separator();
            ui.toggle_value(&mut view.show_dataset_panel, "Dataset");
            ui.toggle_value(&mut view.show_study_panel, "Study");
        });
        ui.horizontal(|ui| {
            let label = ui.label("Path:");
            ui.add(
                egui::TextEdit::singleline(&mut self.state.path_input)
                    .desired_width(320.0)
                    .hint_text("type or paste a file path"),
            )
            .labelled_by(label.id);
            let typed = PathBuf::from(self.state.path_input.trim());
            let has_path = !self.state.path_input.trim().is_empty();
            for (text, purpose, tip) in [
                (
                    "Load CSV",
                    DialogPurpose::OpenCsv,
                    "Load the CSV at this path",
                ),
                (
                    "Open study",
                    DialogPurpose::OpenStudy,
                    "Open the study file (.json) at this path",
                ),
                (
                    "Save study",
                    DialogPurpose::SaveStudy,
                    "Save the study to this path (.json)",
                ),
            ] {
                if ui
                    .add_enabled(has_path && self.running.is_none(), egui::Button::new(text))
                    .on_hover_text(tip)
                    .clicked()
                {
                    self.use_path(purpose, typed.clone());
                }
            }
            ui.separator();
            let enabled = self.running.is_none();
            ui.add_enabled_ui(enabled, |ui| {
                ui.menu_button("Browse…", |ui| {
                    for (text, purpose) in [
                        ("Open CSV…", DialogPurpose::OpenCsv),
                        ("Open study…", DialogPurpose::OpenStudy),
                        ("Save study as…", DialogPurpose::SaveStudy),
                    ] {
                        if ui.button(text).clicked() {
                            self.open_dialog(purpose);
                            ui.close();
                        }
                    }
                });
            });
            ui.label(egui::RichText::new("or drop a .csv or study .json onto the window").weak());
        });
    }

    fn status_line(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| match &self.status {
            Some(s) if s.error => {
                ui.colored_label(
                    egui::Color32::from_rgb(200, 40, 40),
                    format!("Error: {}", s.text),
                );
            }
            Some(s) => {
                ui.label(&s.text);
            }
            None => {
                ui.label(
                    egui::RichText::new(
                        "Ready. Press Run to train every initializer side by side.",
                    )
                    .weak(),
                );
            }
        });
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        let Some(live) = &self.live else {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                ui.heading("Press Run to train the study");
                ui.label(format!(
                    "{} initializer(s) × {} seed(s) on {}: identical networks that differ only in their initial weights.",
                    self.state.spec.initializers.len(),
                    self.state.spec.repeats,
                    self.state.spec.data.strip_prefix("bundled:").unwrap_or(&self.state.spec.data)
                ));
            });
            return;
        };
        let task = self
            .prepared()
            .map(|p| p.task)
            .or(self.result.as_ref().map(|r| r.data.task));
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.show_layers, false, "Curves");
            ui.selectable_value(&mut self.show_layers, true, "Layers");
        });
        if self.show_layers {
            layers::ui(ui, live, &mut self.layer_metric, &mut self.final_histograms);
        } else {
            plots::ui(ui, live, &self.state.view, task);
            ui.add_space(8.0);
            results_table::ui(ui, live, task, &mut self.results_sort);
        }
    }

    fn handle_dropped_files(&mut self, ui: &egui::Ui) {
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        for path in dropped {
            if self.running.is_some() {
                self.set_status(true, "stop the run before loading other data");
                break;
            }
            let is_json = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            self.use_path(
                if is_json {
                    DialogPurpose::OpenStudy
                } else {
                    DialogPurpose::OpenCsv
                },
                path,
            );
        }
    }
}

impl eframe::App for InitlabApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(stats) = &self.frame_stats {
            eprint!("{}", stats.report());
        }
    }
}

/// Opens the window (glow renderer) and runs until it is closed.
pub fn run_native() -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("initlab — compare weight initializers")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([800.0, 500.0])
            .with_app_id("initlab"),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "initlab",
        options,
        Box::new(|cc| Ok(Box::new(InitlabApp::from_storage(cc.storage)))),
    )
    .map_err(|e| e.to_string())
}
