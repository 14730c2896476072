//! What the user can do: load data, open and save studies, run, stop, reset and export. Each
//! action changes the app at once and hands anything slow to a background job.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::jobs::{self, DialogPurpose, Exportable};
use super::live::{Live, Running};
use super::sweep_live::SweepRun;
use super::{Cleared, InitlabApp, Tab};
use crate::data::bundled::Bundled;
use crate::data::{LoadProgress, Table, guess_target};
use crate::study::sweep::DEFAULT_MAX_NETWORKS;
use crate::study::{
    DataSource, Results, RunOptions, StudyResult, StudySpec, SweepResult, estimate_memory,
    total_steps,
};

impl InitlabApp {
    pub(super) fn use_bundled(&mut self, b: &'static Bundled) {
        match b.load() {
            Ok(t) => self.accept_table(DataSource::Bundled(b), Arc::new(t)),
            Err(e) => self.set_status(true, e.to_string()),
        }
    }

    /// Loads a CSV in the background; the current dataset stays until it succeeds.
    pub fn load_csv(&mut self, path: &Path) {
        self.request_load(DataSource::File(path.to_path_buf()));
    }

    pub(super) fn request_load(&mut self, source: DataSource) {
        self.data.load_generation += 1;
        if let DataSource::Bundled(b) = source {
            self.data.loading = None;
            self.use_bundled(b);
            // The path field named the previous file; it no longer describes the dataset.
            self.state.path_input.clear();
            return;
        }
        let progress = LoadProgress {
            bytes_done: 0,
            bytes_total: 0,
            rows: 0,
        };
        self.data.loading = Some((source.clone(), progress));
        match &self.mailbox {
            Some(mb) => jobs::load(mb, self.data.load_generation, source),
            None => self.needs_initial_load = true,
        }
    }

    pub(super) fn accept_table(&mut self, source: DataSource, table: Arc<Table>) {
        self.state.spec.data = match &source {
            DataSource::Bundled(b) => format!("bundled:{}", b.name),
            DataSource::File(p) => p.display().to_string(),
        };
        let prep = &mut self.state.spec.prepare;
        self.data.target_guess = None;
        if table.column_index(&prep.target).is_none() {
            // A new file: guess its target unless the user picks another.
            prep.target = match source {
                DataSource::Bundled(b) => b.target.to_owned(),
                DataSource::File(_) => {
                    self.data.target_guess = guess_target(&table);
                    self.data
                        .target_guess
                        .as_ref()
                        .map(|g| g.column.clone())
                        .unwrap_or_default()
                }
            };
            prep.ignore.clear();
        }
        prep.ignore.retain(|n| table.column_index(n).is_some());
        self.data.table = Some(table);
        self.data.source = Some(source);
        self.data.prepared = None;
        self.data.prepared_key = None;
    }

    /// Opens what `initlab FILE...` names: a CSV is loaded (its target guessed), a study file
    /// opened, a results file shown without re-training. Several files or a missing one get a
    /// message in the status line, never a crash.
    pub fn open_files(&mut self, files: &[PathBuf]) {
        let Some(first) = files.first() else {
            return;
        };
        if !first.exists() {
            self.set_status(true, format!("{}: no such file", first.display()));
            return;
        }
        if first
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            self.open_study(first);
        } else {
            self.load_csv(first);
        }
        if files.len() > 1 {
            let rest: Vec<String> = files[1..].iter().map(|p| p.display().to_string()).collect();
            self.set_status(
                true,
                format!(
                    "initlab opens one file at a time: opened {}; not opened: {}",
                    first.display(),
                    rest.join(", ")
                ),
            );
        }
    }

    /// Replaces the study with the one in `path` and loads its data; a results file (from a
    /// run here, the CLI or a cluster; a study's or a sweep's) is shown as it was, without
    /// re-training.
    pub fn open_study(&mut self, path: &Path) {
        let results = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| Results::from_json(&t, &path.display().to_string()).ok());
        match results {
            Some(Results::Study(result)) => return self.show_result(path, *result),
            Some(Results::Sweep(result)) => return self.show_sweep_result(path, *result),
            None => {}
        }
        match StudySpec::load(path) {
            Ok(spec) => {
                let source = spec.data_source(path.parent());
                self.state.spec = spec;
                self.data.study_dir = path.parent().map(Path::to_path_buf);
                self.data.prepared = None;
                self.data.prepared_key = None;
                self.set_status(false, format!("opened study {}", path.display()));
                self.request_load(source);
            }
            Err(e) => self.set_status(true, e.to_string()),
        }
    }

    /// Shows a finished result as if it had just run here; its study becomes the current one.
    fn show_result(&mut self, path: &Path, result: StudyResult) {
        self.adopt_study_of(path, &result.spec);
        self.run.live = Some(Live::from_result(&result));
        self.run.result = Some(result);
        self.run.sweep = None;
    }

    /// Shows a finished sweep (the Sweep tab opens on it); its study becomes the current one.
    fn show_sweep_result(&mut self, path: &Path, result: SweepResult) {
        self.adopt_study_of(path, &result.spec);
        self.run.live = None;
        self.run.result = None;
        self.run.sweep = Some(SweepRun::finished(result, None));
        self.view.tab = Tab::Sweep;
    }

    /// A results file's study becomes the current one, with its data loaded.
    fn adopt_study_of(&mut self, path: &Path, spec: &StudySpec) {
        let source = spec.data_source(path.parent());
        self.state.spec = spec.clone();
        self.data.study_dir = path.parent().map(Path::to_path_buf);
        self.run.undo = None;
        self.view.sweep_point = None;
        self.data.prepared = None;
        self.data.prepared_key = None;
        self.request_load(source);
        self.set_status(
            false,
            format!(
                "opened the results in {} (nothing re-trained)",
                path.display()
            ),
        );
    }

    pub fn save_study(&mut self, path: &Path) {
        match crate::files::write_atomic(path, self.state.spec.to_json().as_bytes()) {
            Ok(()) => self.set_status(false, format!("saved study to {}", path.display())),
            Err(e) => self.set_status(true, format!("{}: cannot save: {e}", path.display())),
        }
    }

    /// Starts training the current study (or sweep) on the prepared data, unless the study is
    /// invalid or would not fit in memory (then the status line says why and nothing starts).
    pub fn start_run(&mut self) {
        if self.is_running() {
            return;
        }
        if self.state.spec.is_sweep() {
            return self.start_sweep(false);
        }
        let Some(data) = self.prepared_shared() else {
            self.set_status(
                true,
                "the data is not ready: fix the dataset settings first",
            );
            return;
        };
        let spec = self.state.spec.clone();
        let threads = RunOptions::default().threads;
        if let Err(e) = spec.validate() {
            self.set_settings_error(e.to_string());
            return;
        }
        let memory = estimate_memory(&spec, data.n_inputs, data.n_outputs(), threads);
        if !memory.fits() {
            self.set_settings_error(memory.to_string());
            return;
        }
        let (Some(mb), Some(table)) = (self.mailbox.clone(), self.data.table.clone()) else {
            return;
        };
        let cancel = Arc::new(AtomicBool::new(false));
        self.run.running = Some(Running {
            cancel: cancel.clone(),
            started: Instant::now(),
            total_steps: total_steps(&spec, &data, threads),
            done_steps: 0,
            total_samples: (spec.arms().len() * spec.train.epochs * data.n_train()) as f64,
            sweep: false,
        });
        self.run.live = Some(Live::new(spec.clone(), data.task));
        self.run.result = None;
        self.run.sweep = None;
        self.run.undo = None;
        self.view.sweep_point = None;
        self.view.status = None;
        jobs::train(&mb, spec, (table, data), cancel);
    }

    /// Starts the study's sweep: refused while an axis has an error, and held for a
    /// confirmation (`confirmed`) above [`DEFAULT_MAX_NETWORKS`]. The job estimates the time
    /// first (a short calibration run), then trains every point.
    pub fn start_sweep(&mut self, confirmed: bool) {
        let spec = self.state.spec.clone();
        if let Some(e) = self.view.sweep_editor.error() {
            self.set_settings_error(format!("fix the sweep first: {e}"));
            return;
        }
        if let Err(e) = spec.validate() {
            self.set_settings_error(e.to_string());
            return;
        }
        let networks = spec.network_count();
        if networks > DEFAULT_MAX_NETWORKS && !confirmed {
            self.view.confirm_networks = Some(networks);
            return;
        }
        self.view.confirm_networks = None;
        let (Some(mb), Some(table)) = (self.mailbox.clone(), self.data.table.clone()) else {
            self.set_status(
                true,
                "the data is not ready: fix the dataset settings first",
            );
            return;
        };
        let cancel = Arc::new(AtomicBool::new(false));
        self.run.running = Some(Running {
            cancel: cancel.clone(),
            started: Instant::now(),
            total_steps: networks * (spec.train.epochs + 1),
            done_steps: 0,
            total_samples: 0.0,
            sweep: true,
        });
        self.run.live = None;
        self.run.result = None;
        self.run.sweep = None;
        self.run.undo = None;
        self.view.sweep_point = None;
        self.view.sweep_error = None;
        self.view.tab = Tab::Sweep;
        self.set_status(
            false,
            "estimating the sweep's time (a short calibration run)…",
        );
        let base = self.data.study_dir.clone();
        jobs::sweep(&mb, spec, (table, base), cancel);
    }

    /// Drops a sweep that was waiting for a confirmation.
    pub fn cancel_confirmation(&mut self) {
        self.view.confirm_networks = None;
    }

    pub fn stop_run(&mut self) {
        if let Some(r) = &self.run.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Clears the results from the screen; [`Self::undo_reset`] brings them back until the
    /// next run.
    pub fn reset(&mut self) {
        if self.is_running() || (self.run.live.is_none() && self.run.sweep.is_none()) {
            return;
        }
        self.run.undo = Some(Cleared {
            live: self.run.live.take(),
            result: self.run.result.take(),
            sweep: self.run.sweep.take(),
        });
        self.view.sweep_point = None;
        self.set_status(false, "results cleared (Undo brings them back)");
    }

    pub fn undo_reset(&mut self) {
        if let Some(c) = self.run.undo.take() {
            self.run.live = c.live;
            self.run.result = c.result;
            self.run.sweep = c.sweep;
            self.set_status(false, "results restored");
        }
    }

    /// The default model, training and initializers; the loaded data and its settings stay.
    pub fn default_study(&mut self) {
        let keep = self.state.spec.clone();
        self.state.spec = crate::study::StudySpec {
            data: keep.data,
            prepare: keep.prepare,
            ..crate::study::StudySpec::default()
        };
        self.set_status(false, "default model, training and initializers restored");
    }

    /// Exports the report of the last result (a study's or a sweep's) into `dir` (a new
    /// folder; by default the one `report::default_dir` names, as the CLI does).
    pub fn export_report(&mut self, dir: Option<PathBuf>) {
        let what = match (&self.run.result, &self.run.sweep) {
            (Some(r), _) => Exportable::Study(Box::new(r.clone())),
            (None, Some(s)) if !s.is_live() => Exportable::Sweep(Box::new(s.result.clone())),
            _ => {
                self.set_status(true, "nothing to export yet: run the study first");
                return;
            }
        };
        let Some(mb) = self.mailbox.clone() else {
            return;
        };
        let spec = match &what {
            Exportable::Study(r) => &r.spec,
            Exportable::Sweep(r) => &r.spec,
        };
        let dir = dir.unwrap_or_else(|| crate::report::default_dir(spec));
        self.run.exporting = true;
        jobs::export(&mb, what, dir);
    }

    pub(super) fn open_dialog(&mut self, purpose: DialogPurpose) {
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
    pub(super) fn use_path(&mut self, purpose: DialogPurpose, path: PathBuf) {
        self.state.path_input = path.display().to_string();
        match purpose {
            DialogPurpose::OpenCsv => self.load_csv(&path),
            DialogPurpose::OpenStudy => self.open_study(&path),
            DialogPurpose::SaveStudy => self.save_study(&path),
            DialogPurpose::ExportReport => self.export_report(Some(path)),
        }
    }

    /// Starts preparation when the data or its settings changed.
    pub(super) fn refresh_preparation(&mut self) {
        let (Some(table), Some(mb)) = (self.data.table.clone(), self.mailbox.clone()) else {
            return;
        };
        let spec = &self.state.spec;
        let key = (spec.prepare.clone(), spec.seed, self.data.load_generation);
        if self.data.prepared_key.as_ref() == Some(&key) {
            return;
        }
        self.data.prepared_key = Some(key);
        self.data.prepared = None;
        self.data.prepare_generation += 1;
        let (options, seed) = (spec.prepare.clone(), spec.seed);
        jobs::prepare_data(&mb, self.data.prepare_generation, table, options, seed);
    }
}
