//! The desktop app: edit a study, load data, watch every initializer train side by side, export
//! the report. `InitlabApp::show` draws one frame and is what both eframe and the headless UI
//! tests drive.
//!
//! Where things live: `state` is what survives a restart; `actions` changes the app (load, run,
//! save, export); `jobs` runs the slow parts on named threads and `messages` applies what they
//! send back; `chrome` draws the toolbar, status line and central view around the panels
//! (`dataset_panel`, `study_panel`) and views (`plots`, `layers`, `results_table`); `live` holds
//! a run's growing histories; `widgets` the shared widgets and the initializer colours. Sweeps:
//! `sweep_panel` edits the axes, `sweep_live` holds a sweep's growing result, `sweep_view` draws
//! the Sweep tab with `sweep_frontier` (one axis) or `sweep_heatmap` (two or three).

mod actions;
mod central;
mod chrome;
mod colors;
mod curve_cache;
mod dataset_panel;
mod frame_stats;
mod gallery_view;
mod jobs;
mod layers;
mod live;
mod messages;
mod plots;
mod results_table;
mod state;
mod study_panel;
mod sweep_frontier;
mod sweep_heatmap;
mod sweep_live;
mod sweep_panel;
mod sweep_ranking;
mod sweep_table;
mod sweep_view;
mod theory_view;
mod widgets;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

pub use colors::Colors;
pub use jobs::DialogPurpose;
pub use live::{Live, Status};
pub use state::{State, ViewSettings};

use crate::data::{LoadProgress, PrepareOptions, PreparedData, Table, TargetGuess};
use crate::study::{DataSource, StudyResult, SweepResult};
use frame_stats::FrameStats;
use jobs::{Mailbox, Msg};
use live::Running;
use sweep_live::SweepRun;

/// The loaded dataset and its preparation, each produced by a background job. A `generation`
/// tags each request so that answers to superseded requests are dropped.
#[derive(Default)]
struct DataSlot {
    table: Option<Arc<Table>>,
    /// The source `table` came from.
    source: Option<DataSource>,
    /// How the target column was chosen for a newly loaded file (shown beside it).
    target_guess: Option<TargetGuess>,
    load_generation: u64,
    loading: Option<(DataSource, LoadProgress)>,
    prepared: Option<Result<Arc<PreparedData>, String>>,
    prepare_generation: u64,
    /// The options the current (or pending) preparation was asked for.
    prepared_key: Option<(PrepareOptions, u64, u64)>,
    /// The folder of the study file last opened: a sweep's `data` axis names files from there.
    study_dir: Option<PathBuf>,
}

/// The training run: in progress, growing, finished, and its export.
#[derive(Default)]
struct RunSlot {
    running: Option<Running>,
    live: Option<Live>,
    result: Option<StudyResult>,
    exporting: bool,
    last_export: Option<PathBuf>,
    /// The sweep on screen (instead of `live` and `result`): training or finished.
    sweep: Option<SweepRun>,
    /// What Reset cleared, until the next run: Undo brings it back.
    undo: Option<Cleared>,
}

/// The results Reset took off the screen.
struct Cleared {
    live: Option<Live>,
    result: Option<StudyResult>,
    sweep: Option<SweepRun>,
}

/// What the user is looking at (not persisted).
#[derive(Default)]
struct ViewState {
    status: Option<Status>,
    results_sort: results_table::Sort,
    /// The central view.
    tab: Tab,
    theory: theory_view::TheoryCache,
    layer_metric: layers::LayerMetric,
    final_histograms: bool,
    /// Initializers hidden from the charts (through the shared legend).
    hidden: Vec<String>,
    /// The window title last sent, so it is sent again only when it changes.
    title: String,
    /// The sweep point shown in the Curves, Layers and table views (index into its points).
    sweep_point: Option<usize>,
    /// Why the last sweep could not run (shown in the sweep editor too).
    sweep_error: Option<String>,
    /// Run was pressed on a sweep above the network limit: it waits for a confirmation.
    confirm_networks: Option<usize>,
    sweep_editor: sweep_panel::Editor,
    /// The Curves tab's lines and the results table's numbers, recomputed only when the runs
    /// change.
    curves: curve_cache::CurveCache,
    table: results_table::TableCache,
    gallery: gallery_view::GalleryView,
}

/// The central view's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Curves,
    Layers,
    Theory,
    Sweep,
}

/// The application.
pub struct InitlabApp {
    /// Persisted between launches.
    pub state: State,
    data: DataSlot,
    run: RunSlot,
    view: ViewState,
    /// Known from the first frame on (it needs the UI context to wake the UI).
    mailbox: Option<Mailbox>,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    /// Startup work that needs the mailbox.
    needs_initial_load: bool,
    /// Frame timings, collected when INITLAB_FRAME_STATS is set (printed at exit).
    frame_stats: Option<FrameStats>,
}

/// How often the UI redraws while a study trains. Redrawing on every training event took
/// frames (and, with a software renderer, CPU) from the training threads; ten frames a second
/// keeps the curves and progress bar live.
const LIVE_FRAME_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

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
            data: DataSlot::default(),
            run: RunSlot::default(),
            view: ViewState::default(),
            mailbox: None,
            tx,
            rx,
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
        self.data.table.as_deref()
    }

    pub fn prepared(&self) -> Option<&PreparedData> {
        self.prepared_shared_ref().map(|p| p.as_ref())
    }

    fn prepared_shared_ref(&self) -> Option<&Arc<PreparedData>> {
        self.data.prepared.as_ref().and_then(|p| p.as_ref().ok())
    }

    /// The prepared data, shared with a job or a view.
    fn prepared_shared(&self) -> Option<Arc<PreparedData>> {
        self.prepared_shared_ref().cloned()
    }

    /// How the target of the loaded file was chosen, when initlab chose it.
    pub fn target_guess(&self) -> Option<&TargetGuess> {
        self.data.target_guess.as_ref()
    }

    pub fn live(&self) -> Option<&Live> {
        self.run.live.as_ref()
    }

    pub fn result(&self) -> Option<&StudyResult> {
        self.run.result.as_ref()
    }

    /// The sweep on screen: growing while it trains, complete (or stopped) after.
    pub fn sweep(&self) -> Option<&SweepResult> {
        self.run.sweep.as_ref().map(|s| &s.result)
    }

    /// The sweep point open in the study views, with its label.
    pub fn open_point(&self) -> Option<(usize, String)> {
        let p = self.view.sweep_point?;
        self.run.sweep.as_ref().map(|s| (p, s.point_label(p)))
    }

    pub fn status(&self) -> Option<&Status> {
        self.view.status.as_ref()
    }

    pub fn is_running(&self) -> bool {
        self.run.running.is_some()
    }

    pub fn is_busy(&self) -> bool {
        self.is_running() || self.data.loading.is_some() || self.run.exporting || self.preparing()
    }

    pub fn last_export(&self) -> Option<&Path> {
        self.run.last_export.as_deref()
    }

    fn preparing(&self) -> bool {
        self.data.prepared.is_none() && self.data.table.is_some()
    }

    fn set_status(&mut self, error: bool, text: impl Into<String>) {
        self.view.status = Some(Status {
            error,
            text: text.into(),
            about_settings: false,
        });
    }

    /// An error about the study's settings, cleared as soon as they are valid again.
    fn set_settings_error(&mut self, text: impl Into<String>) {
        self.set_status(true, text);
        if let Some(s) = &mut self.view.status {
            s.about_settings = true;
        }
    }

    /// Why Run is disabled now, in words for its tooltip; `None` when it is enabled. (An
    /// invalid or too large study leaves Run enabled: pressing it says what is wrong.)
    pub fn run_blocker(&self) -> Option<String> {
        if self.is_running() {
            return Some("a study is already running".into());
        }
        let Some(prepared) = &self.data.prepared else {
            return Some(if self.data.table.is_some() {
                "the data is being prepared".into()
            } else {
                "load a dataset first".into()
            });
        };
        prepared
            .as_ref()
            .err()
            .map(|e| format!("the data cannot be used: {e}"))
    }

    /// Whether the last reset can be undone.
    pub fn can_undo_reset(&self) -> bool {
        self.run.undo.is_some()
    }

    /// Gives every initializer of the study, and of the results on screen, its colour.
    fn sync_colors(&mut self) {
        let mut names = self.state.spec.initializer_names();
        let shown = self.run.live.as_ref().map(|l| &l.spec);
        let swept = self.run.sweep.as_ref().map(|s| &s.result.spec);
        for spec in shown.into_iter().chain(swept) {
            for n in spec.initializer_names() {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        self.state.colors.sync(names.iter().map(String::as_str));
    }

    /// The window title: the dataset, and the progress while training.
    pub fn title(&self) -> String {
        let spec = &self.state.spec;
        let data = spec.data.strip_prefix("bundled:").unwrap_or(&spec.data);
        let data = std::path::Path::new(data)
            .file_name()
            .map_or_else(|| data.to_owned(), |f| f.to_string_lossy().into_owned());
        match &self.run.running {
            Some(r) if r.total_steps > 0 => format!(
                "{data} — training {:.0}% — initlab",
                100.0 * (r.done_steps as f64 / r.total_steps as f64).min(1.0)
            ),
            _ => format!("{data} — initlab"),
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.title();
        if title != self.view.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.view.title = title;
        }
    }

    // ----- drawing -----

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.show_timed(ui, None);
    }

    /// [`Self::show`], given eframe's CPU time for the previous frame (for the frame stats).
    fn show_timed(&mut self, ui: &mut egui::Ui, previous_cpu: Option<f32>) {
        let frame_start = Instant::now();
        self.show_frame(ui);
        let training = self.is_running();
        if let Some(stats) = &mut self.frame_stats {
            stats.record(frame_start, training, previous_cpu);
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
                .data
                .loading
                .take()
                .map_or_else(|| self.state.spec.data_source(None), |(s, _)| s);
            self.request_load(source);
        }
        self.drain();
        if let Some(s) = &mut self.run.sweep {
            s.refresh();
        }
        self.judge_gallery();
        self.sync_colors();
        if self.view.status.as_ref().is_some_and(|s| s.about_settings)
            && self.state.spec.validate().is_ok()
        {
            self.view.status = None;
        }
        self.handle_dropped_files(ui);
        self.refresh_preparation();
        self.panels(ui);
        self.gallery_window(&ui.ctx().clone());
        self.update_title(ui.ctx());
        if self.is_running() {
            ui.ctx().request_repaint_after(LIVE_FRAME_INTERVAL);
        }
    }
}

impl eframe::App for InitlabApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.show_timed(ui, frame.info().cpu_usage);
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

/// The app id: the desktop entry (`desktop/initlab.desktop`, `StartupWMClass`) and the window
/// manager match windows to it.
pub const APP_ID: &str = "initlab";

/// The window icon, the same drawing as `desktop/initlab.svg`.
const ICON_PNG: &[u8] = include_bytes!("../../desktop/initlab-256.png");

/// The window icon decoded from the embedded PNG (`None` only if the PNG were broken: the app
/// then opens with the desktop's default icon rather than failing).
pub fn window_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(ICON_PNG).ok()
}

/// Opens the window (glow renderer) with `files` opened (see [`InitlabApp::open_files`]) and
/// runs until it is closed.
pub fn run_native(files: Vec<PathBuf>) -> Result<(), String> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("initlab")
        .with_inner_size([1400.0, 880.0])
        .with_min_inner_size([800.0, 500.0])
        .with_app_id(APP_ID);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| {
            let mut app = InitlabApp::from_storage(cc.storage);
            app.open_files(&files);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
