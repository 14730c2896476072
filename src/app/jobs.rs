//! Background work of the app: loading, preparing, training, dialogs and export, each on a named
//! thread that reports over one channel and wakes the UI. The UI thread only drains and draws.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use crate::data::{LoadProgress, PrepareOptions, PreparedData, Table, prepare};
use crate::study::sweep::{PointJudge, SweepEstimate, empty_points, estimate, load_tables};
use crate::study::{
    DataSource, PointResult, RunOptions, StudyResult, StudySpec, SweepResult, panic_message,
    run_study, run_study_table,
};
use crate::train::TrainEvent;

/// What a file dialog was opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogPurpose {
    OpenCsv,
    OpenStudy,
    SaveStudy,
    ExportReport,
}

/// Messages from background threads. `generation` tags let the app drop answers to questions
/// that have since changed (a newer file, newer settings).
pub enum Msg {
    LoadProgress {
        generation: u64,
        progress: LoadProgress,
    },
    Loaded {
        generation: u64,
        source: DataSource,
        result: Result<Arc<Table>, String>,
    },
    Prepared {
        generation: u64,
        result: Result<Arc<PreparedData>, String>,
    },
    Train(TrainEvent),
    /// The run ended; `stopped` says whether the user had asked it to stop.
    Finished {
        result: Result<Box<StudyResult>, String>,
        stopped: bool,
    },
    /// A sweep's data is loaded and its time estimated: training starts now.
    SweepReady {
        spec: Box<StudySpec>,
        estimate: SweepEstimate,
        points: Vec<(PointResult, PointJudge)>,
    },
    /// The sweep ended (as [`Msg::Finished`] for a study).
    SweepFinished {
        result: Result<Box<SweepResult>, String>,
        stopped: bool,
    },
    Dialog {
        purpose: DialogPurpose,
        path: Option<PathBuf>,
        seconds: f64,
    },
    Exported(Result<PathBuf, String>),
}

/// Where messages go, and how to wake the UI.
#[derive(Clone)]
pub struct Mailbox {
    pub tx: Sender<Msg>,
    pub ctx: egui::Context,
}

impl Mailbox {
    pub fn send(&self, msg: Msg) {
        // The receiver lives as long as the app; a send can only fail while it shuts down.
        let _ = self.tx.send(msg);
        self.ctx.request_repaint();
    }
}

/// Runs `f` on a named thread; a panic inside becomes an error message instead of a crash.
fn spawn(
    name: &str,
    mailbox: &Mailbox,
    on_panic: impl Fn(String) -> Msg + Send + Sync + 'static,
    f: impl FnOnce(&Mailbox) + Send + 'static,
) {
    let mb = mailbox.clone();
    let on_panic = Arc::new(on_panic);
    let in_thread = on_panic.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("initlab-{name}"))
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mb)));
            if let Err(e) = result {
                let text = panic_message(e.as_ref());
                mb.send(in_thread(format!(
                    "internal error in a background task: {text}"
                )));
            }
        });
    if let Err(e) = spawned {
        mailbox.send(on_panic(format!("cannot start a background thread: {e}")));
    }
}

pub fn load(mailbox: &Mailbox, generation: u64, source: DataSource) {
    let src = source.clone();
    spawn(
        "load",
        mailbox,
        move |e| Msg::Loaded {
            generation,
            source: src.clone(),
            result: Err(e),
        },
        move |mb| {
            let mut last = 0.0f32;
            let result = source
                .load(&mut |progress| {
                    if progress.fraction() - last >= 0.01 {
                        last = progress.fraction();
                        mb.send(Msg::LoadProgress {
                            generation,
                            progress,
                        });
                    }
                })
                .map(Arc::new)
                .map_err(|e| e.to_string());
            mb.send(Msg::Loaded {
                generation,
                source,
                result,
            });
        },
    );
}

pub fn prepare_data(
    mailbox: &Mailbox,
    generation: u64,
    table: Arc<Table>,
    options: PrepareOptions,
    seed: u64,
) {
    spawn(
        "prepare",
        mailbox,
        move |e| Msg::Prepared {
            generation,
            result: Err(e),
        },
        move |mb| {
            let result = prepare(&table, &options, seed)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            mb.send(Msg::Prepared { generation, result });
        },
    );
}

/// Trains on a worker thread; `cancel` stops it between steps, keeping what it has.
pub(super) fn train(
    mailbox: &Mailbox,
    spec: StudySpec,
    (table, data): (Arc<Table>, Arc<PreparedData>),
    cancel: Arc<AtomicBool>,
) {
    spawn(
        "train",
        mailbox,
        |e| Msg::Finished {
            result: Err(e),
            stopped: false,
        },
        move |mb| {
            // No wake-up per event: while training, the UI redraws on its own fixed cadence
            // (see `LIVE_FRAME_INTERVAL`) and picks up whatever has arrived.
            let emit = |e: TrainEvent| {
                let _ = mb.tx.send(Msg::Train(e));
            };
            lower_priority();
            let options = RunOptions::default();
            // Repeats with their own splits prepare their data here, off the UI thread.
            let result = if spec.repeat_mode.varies_data() {
                run_study_table(&spec, &table, &options, &emit, &cancel)
            } else {
                run_study(&spec, &data, &options, &emit, &cancel)
            };
            let result = result.map(Box::new).map_err(|e| e.to_string());
            // The flag belongs to this run alone (each run gets a new one), so it still says
            // whether the user stopped it.
            let stopped = cancel.load(Ordering::Relaxed);
            mb.send(Msg::Finished { result, stopped });
        },
    );
}

/// Trains a sweep on a worker thread: its tables (the app's own `table` when no `data` axis
/// names others), the size and time estimate from a short calibration run, then every point.
/// `cancel` stops it between steps; finished points and epochs stay.
pub(super) fn sweep(
    mailbox: &Mailbox,
    spec: StudySpec,
    (table, base): (Arc<Table>, Option<PathBuf>),
    cancel: Arc<AtomicBool>,
) {
    spawn(
        "sweep",
        mailbox,
        |e| Msg::SweepFinished {
            result: Err(e),
            stopped: false,
        },
        move |mb| {
            lower_priority();
            let result = run_sweep_job(mb, &spec, table, base.as_deref(), &cancel);
            let stopped = cancel.load(Ordering::Relaxed);
            let result = result.map(Box::new).map_err(|e| e.to_string());
            mb.send(Msg::SweepFinished { result, stopped });
        },
    );
}

fn run_sweep_job(
    mb: &Mailbox,
    spec: &StudySpec,
    table: Arc<Table>,
    base: Option<&std::path::Path>,
    cancel: &AtomicBool,
) -> Result<SweepResult, crate::study::StudyError> {
    let has_data_axis = spec.sweep.as_ref().is_some_and(|s| {
        s.axes
            .iter()
            .any(|a| matches!(a, crate::study::Axis::Data(_)))
    });
    let (spec, tables) = if has_data_axis {
        load_tables(spec, base, &mut |_| {})?
    } else {
        (spec.clone(), vec![Arc::unwrap_or_clone(table)])
    };
    let options = RunOptions::default();
    let estimate = estimate(&spec, &tables, options.threads)?;
    let points = empty_points(&spec, &tables)?;
    mb.send(Msg::SweepReady {
        spec: Box::new(spec.clone()),
        estimate,
        points,
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(crate::study::StudyError::Invalid {
            field: "sweep".into(),
            message: "stopped before training started".into(),
        });
    }
    // As for a study, no wake-up per event: the UI redraws on its own cadence while running.
    let emit = |e: TrainEvent| {
        let _ = mb.tx.send(Msg::Train(e));
    };
    crate::study::sweep::run_sweep(&spec, &tables, &options, &emit, cancel)
}

/// Opens a native dialog off the UI thread (rfd's portal dialog has no timeout).
pub fn dialog(mailbox: &Mailbox, purpose: DialogPurpose, suggested: String) {
    spawn(
        "dialog",
        mailbox,
        move |_| Msg::Dialog {
            purpose,
            path: None,
            seconds: 0.0,
        },
        move |mb| {
            let started = std::time::Instant::now();
            let d = rfd::FileDialog::new();
            let path = match purpose {
                DialogPurpose::OpenCsv => d
                    .add_filter("CSV", &["csv", "tsv", "txt"])
                    .set_title("Open a CSV file")
                    .pick_file(),
                DialogPurpose::OpenStudy => d
                    .add_filter("Study", &["json"])
                    .set_title("Open a study")
                    .pick_file(),
                DialogPurpose::SaveStudy => d
                    .add_filter("Study", &["json"])
                    .set_file_name(suggested)
                    .set_title("Save the study")
                    .save_file(),
                DialogPurpose::ExportReport => d
                    .set_title("Export the report into a new folder")
                    .set_file_name(suggested)
                    .save_file(),
            };
            mb.send(Msg::Dialog {
                purpose,
                path,
                seconds: started.elapsed().as_secs_f64(),
            });
        },
    );
}

/// What Export writes: a study's report or a sweep's.
pub enum Exportable {
    Study(Box<StudyResult>),
    Sweep(Box<SweepResult>),
}

pub fn export(mailbox: &Mailbox, result: Exportable, dir: PathBuf) {
    spawn(
        "export",
        mailbox,
        |e| Msg::Exported(Err(e)),
        move |mb| {
            let r = match &result {
                Exportable::Study(r) => crate::report::write_report(r, &dir, false),
                Exportable::Sweep(r) => crate::report::write_sweep_report(r, &dir, false),
            };
            mb.send(Msg::Exported(r.map_err(|e| e.to_string())));
        },
    );
}

/// Lowers this thread's scheduling priority (Linux: nice 5 for this thread, inherited by the
/// training threads it starts), so that the window keeps its frames when training takes every
/// core: on 2 cores the UI thread otherwise waits behind two busy trainers.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with this thread's own id only changes its nice value.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Defect: the worker cleared the cancel flag before reporting, so the app could never tell
    /// that a failed run had been stopped by the user.
    #[test]
    fn a_stopped_run_reports_stopped() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mb = Mailbox {
            tx,
            ctx: egui::Context::default(),
        };
        let table = crate::data::bundled::BUNDLED[0].load().expect("bundled");
        let spec = StudySpec::default();
        let data = prepare(&table, &spec.prepare, spec.seed).expect("prepares");
        let cancel = Arc::new(AtomicBool::new(true));
        train(&mb, spec, (Arc::new(table), Arc::new(data)), cancel);
        let stopped = loop {
            match rx.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(Msg::Finished { stopped, .. }) => break stopped,
                Ok(_) => {}
                Err(e) => panic!("no Finished message: {e}"),
            }
        };
        assert!(
            stopped,
            "the run was stopped but the app was told it was not"
        );
    }
}
