//! The frame around the panels: toolbar (run controls, progress, export, view toggles, the path
//! row), status line, and files dropped onto the window (the central view is in `central`).

use std::path::PathBuf;

use egui::{Button, RichText};

use super::jobs::DialogPurpose;
use super::live::Running;
use super::sweep_view::sweep_progress;
use super::{InitlabApp, Live, dataset_panel, study_panel, sweep_panel};

impl InitlabApp {
    /// The toolbar, status line, side panels and central view.
    pub(super) fn panels(&mut self, ui: &mut egui::Ui) {
        // Side panels give way on small screens (at 1024 px the centre was cramped).
        let side = (ui.available_width() * 0.22).clamp(230.0, 330.0);
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
        if self.state.view.show_dataset_panel {
            egui::Panel::left("dataset")
                .resizable(true)
                .default_size(side)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("dataset-scroll")
                        .show(ui, |ui| self.dataset_panel(ui));
                });
        }
        if self.state.view.show_study_panel {
            let running = self.is_running();
            let dims = self.prepared().map(|d| (d.n_inputs, d.n_outputs()));
            let (spec, colors) = (&mut self.state.spec, &self.state.colors);
            let editor = &mut self.view.sweep_editor;
            let cx = sweep_panel::Context {
                dims,
                failure: self.view.sweep_error.as_deref(),
            };
            let mut defaults = false;
            egui::Panel::right("study")
                .resizable(true)
                .default_size(side)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("study-scroll")
                        .show(ui, |ui| {
                            ui.add_enabled_ui(!running, |ui| {
                                defaults = study_panel::ui(spec, colors, ui);
                                ui.separator();
                                sweep_panel::ui(spec, editor, &cx, ui);
                            });
                        });
                });
            if defaults {
                self.default_study();
            }
        }
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("central-scroll")
                .show(ui, |ui| self.central(ui));
        });
    }

    fn dataset_panel(&mut self, ui: &mut egui::Ui) {
        let view = dataset_panel::DatasetView {
            running: self.is_running(),
            loading: self.data.loading.as_ref(),
            table: self.data.table.as_deref(),
            target_guess: self.data.target_guess.as_ref(),
            prepared: self.data.prepared.as_ref(),
        };
        if let Some(source) = dataset_panel::ui(&view, &mut self.state.spec.prepare, ui) {
            self.request_load(source);
        }
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.heading("initlab");
            ui.separator();
            self.run_controls(ui);
            ui.separator();
            self.export_buttons(ui);
            ui.separator();
            let view = &mut self.state.view;
            ui.checkbox(&mut view.log_scale, "log scale");
            ui.checkbox(&mut view.show_bands, "min–max bands");
            ui.add(egui::Slider::new(&mut view.smoothing, 0.0..=0.95).text("smoothing"));
            ui.separator();
            ui.toggle_value(&mut view.show_dataset_panel, "Dataset");
            ui.toggle_value(&mut view.show_study_panel, "Study");
            ui.separator();
            ui.toggle_value(&mut self.view.gallery.open, "Gallery")
                .on_hover_text("Classic initialization experiments, each with its verdict");
        });
        ui.horizontal(|ui| self.path_row(ui));
        // Its own row, full width: beside the buttons it pushed the toolbar about and was cut off.
        match &self.run.running {
            Some(r) if r.sweep => sweep_progress(ui, r, self.run.sweep.as_ref()),
            Some(r) => progress(ui, r, self.run.live.as_ref()),
            None => self.confirm_row(ui),
        }
    }

    fn run_controls(&mut self, ui: &mut egui::Ui) {
        let idle = !self.is_running();
        let blocker = self.run_blocker();
        if ui
            .add_enabled(
                blocker.is_none(),
                Button::new(RichText::new("Run").strong()),
            )
            .on_hover_text(
                "Train every initializer side by side (same data, batches and optimizer)",
            )
            .on_disabled_hover_text(format!("Cannot run: {}", blocker.unwrap_or_default()))
            .clicked()
        {
            self.start_run();
        }
        if ui
            .add_enabled(!idle, Button::new("Stop"))
            .on_hover_text("Stop between two steps; keep what has been trained")
            .clicked()
        {
            self.stop_run();
        }
        if ui
            .add_enabled(idle && self.run.live.is_some(), Button::new("Reset"))
            .on_hover_text("Clear the results from the screen (Undo brings them back)")
            .clicked()
        {
            self.reset();
        }
        if self.can_undo_reset() && ui.button("Undo reset").clicked() {
            self.undo_reset();
        }
    }

    fn export_buttons(&mut self, ui: &mut egui::Ui) {
        let finished_sweep = self.run.sweep.as_ref().is_some_and(|s| !s.is_live());
        let can_export = (self.run.result.is_some() || finished_sweep) && !self.run.exporting;
        if ui
            .add_enabled(can_export, Button::new("Export report"))
            .on_hover_text(
                "Write report.html, report.md, results.json, study.json and curves.csv to \
                 reports/<dataset>-<date-time>/",
            )
            .clicked()
        {
            self.export_report(None);
        }
        if ui
            .add_enabled(can_export, Button::new("Export to…"))
            .on_hover_text("Choose the new report folder in a dialog")
            .clicked()
        {
            self.open_dialog(DialogPurpose::ExportReport);
        }
    }

    /// The path field and what can be done with the path in it, for machines without a
    /// file dialog.
    fn path_row(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Path:");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut self.state.path_input)
                    .desired_width(320.0)
                    .hint_text("type or paste a file path"),
            )
            .labelled_by(label.id);
        let typed = PathBuf::from(self.state.path_input.trim());
        let usable = !self.state.path_input.trim().is_empty() && !self.is_running();
        // Enter opens what the path names: a study for .json, a CSV otherwise.
        if usable && field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            self.use_path(open_purpose(&typed), typed.clone());
        }
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
                .add_enabled(usable, Button::new(text))
                .on_hover_text(tip)
                .clicked()
            {
                self.use_path(purpose, typed.clone());
            }
        }
        ui.separator();
        ui.add_enabled_ui(!self.is_running(), |ui| {
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
        ui.label(RichText::new("or drop a .csv or study .json onto the window").weak());
    }

    fn status_line(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| match &self.view.status {
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
                    RichText::new("Ready. Press Run to train every initializer side by side.")
                        .weak(),
                );
            }
        });
    }

    pub(super) fn handle_dropped_files(&mut self, ui: &egui::Ui) {
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        for path in dropped {
            if self.is_running() {
                self.set_status(true, "stop the run before loading other data");
                break;
            }
            self.use_path(open_purpose(&path), path);
        }
    }
}

/// How to open a file by its name: a study for `.json`, a CSV otherwise.
fn open_purpose(path: &std::path::Path) -> DialogPurpose {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        DialogPurpose::OpenStudy
    } else {
        DialogPurpose::OpenCsv
    }
}

/// The progress bar of a running study: epoch, time left and throughput.
fn progress(ui: &mut egui::Ui, r: &Running, live: Option<&Live>) {
    let frac = if r.total_steps == 0 {
        0.0
    } else {
        (r.done_steps as f32 / r.total_steps as f32).min(1.0)
    };
    let elapsed = r.started.elapsed().as_secs_f64();
    let epoch = live.map_or(0, |l| {
        l.runs
            .iter()
            .filter_map(|x| x.epochs.last().map(|e| e.epoch))
            .max()
            .unwrap_or(0)
    });
    let epochs = live.map_or(0, |l| l.spec.train.epochs);
    let eta = if frac > 0.01 {
        format!("{:.0} s left", elapsed * (1.0 - frac as f64) / frac as f64)
    } else {
        "…".into()
    };
    let rate = if elapsed > 0.0 {
        frac as f64 * r.total_samples / elapsed
    } else {
        0.0
    };
    ui.add(egui::ProgressBar::new(frac).text(format!(
        "epoch {epoch}/{epochs} · {eta} · {:.0}k samples/s",
        rate / 1e3
    )));
}
