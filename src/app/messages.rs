//! Applying what the background jobs send: load progress and tables, prepared data, training
//! events and the finished result, dialog answers, finished exports.

use std::path::PathBuf;
use std::sync::Arc;

use super::InitlabApp;
use super::jobs::{DialogPurpose, Msg};
use super::live::Live;
use crate::data::Table;
use crate::study::StudyResult;
use crate::train::TrainEvent;

impl InitlabApp {
    /// Applies every message that has arrived since the last frame.
    pub(super) fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.handle(msg);
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::LoadProgress {
                generation,
                progress,
            } => {
                if generation == self.data.load_generation
                    && let Some((_, p)) = &mut self.data.loading
                {
                    *p = progress;
                }
            }
            Msg::Loaded {
                generation,
                source,
                result,
            } => {
                if generation == self.data.load_generation {
                    self.data.loading = None;
                    self.on_loaded(source, result);
                }
            }
            Msg::Prepared { generation, result } => {
                if generation == self.data.prepare_generation {
                    self.data.prepared = Some(result);
                }
            }
            Msg::Train(e) => self.on_train_event(e),
            Msg::Finished { result, stopped } => self.on_finished(result, stopped),
            Msg::Dialog {
                purpose,
                path,
                seconds,
            } => self.on_dialog(purpose, path, seconds),
            Msg::Exported(r) => self.on_exported(r),
        }
    }

    fn on_loaded(&mut self, source: crate::study::DataSource, result: Result<Arc<Table>, String>) {
        match result {
            Ok(table) => {
                let text = format!(
                    "loaded {} ({} rows, {} columns)",
                    table.source,
                    table.n_rows,
                    table.columns.len()
                );
                self.accept_table(source, table);
                self.set_status(false, text);
            }
            Err(e) => {
                let kept = if self.data.table.is_some() {
                    " (the previous dataset is kept)"
                } else {
                    ""
                };
                self.set_status(true, format!("{e}{kept}"));
                if self.data.table.is_none() {
                    self.use_bundled(&crate::data::bundled::BUNDLED[0]);
                }
            }
        }
    }

    /// The run ended: completed, stopped by the user (`stopped`), or failed.
    fn on_finished(&mut self, result: Result<Box<StudyResult>, String>, stopped: bool) {
        if let Some(stats) = &self.frame_stats {
            eprint!("{}", stats.report());
        }
        self.run.running = None;
        match result {
            Ok(r) => {
                if self.frame_stats.is_some() {
                    eprintln!("study wall time {:.2} s", r.wall_seconds);
                }
                self.run.live = Some(Live::from_result(&r));
                let text = if r.completed {
                    format!("finished in {:.1} s", r.wall_seconds)
                } else {
                    format!(
                        "stopped after {:.1} s: partial results kept",
                        r.wall_seconds
                    )
                };
                self.set_status(false, text);
                self.run.result = Some(*r);
            }
            Err(e) => {
                let suffix = if stopped { " (stopped)" } else { "" };
                self.set_status(true, format!("training failed: {e}{suffix}"));
            }
        }
    }

    fn on_dialog(&mut self, purpose: DialogPurpose, path: Option<PathBuf>, seconds: f64) {
        match path {
            Some(p) => self.use_path(purpose, p),
            // A dialog that answers at once never opened: there is no desktop portal.
            None if seconds < 0.5 => self.set_status(
                true,
                "no file dialog is available on this system: type or paste a path in the Path \
                 field and use the buttons beside it",
            ),
            None => {}
        }
    }

    fn on_exported(&mut self, r: Result<PathBuf, String>) {
        self.run.exporting = false;
        match r {
            Ok(dir) => {
                let html = dir.join("report.html");
                self.set_status(false, format!("report written to {}", html.display()));
                self.run.last_export = Some(dir);
            }
            Err(e) => self.set_status(true, e),
        }
    }

    fn on_train_event(&mut self, e: TrainEvent) {
        if let TrainEvent::Steps { steps } = e {
            if let Some(r) = &mut self.run.running {
                r.done_steps += steps;
            }
            return;
        }
        let Some(live) = &mut self.run.live else {
            return;
        };
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
            TrainEvent::Steps { .. } => {}
        }
    }
}
