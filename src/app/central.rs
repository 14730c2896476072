//! The central view: its tabs (Curves, Layers, Theory, Sweep), the welcome text before a first
//! run, and the banner saying what the results on screen belong to.

use egui::RichText;

use super::colors::WARN;
use super::widgets::legend;
use super::{InitlabApp, Live, Tab, layers, plots, results_table, theory_view};
use crate::data::Task;
use crate::study::{RunOptions, StudySpec, estimate_memory};

impl InitlabApp {
    pub(super) fn central(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.view.tab, Tab::Curves, "Curves");
            ui.selectable_value(&mut self.view.tab, Tab::Layers, "Layers");
            ui.selectable_value(&mut self.view.tab, Tab::Theory, "Theory")
                .on_hover_text("mean-field predictions and measurements at initialization");
            if self.has_sweep() {
                ui.selectable_value(&mut self.view.tab, Tab::Sweep, "Sweep")
                    .on_hover_text("the sweep's frontier or heatmaps; click a point to open it");
            }
        });
        if self.view.tab == Tab::Sweep && !self.has_sweep() {
            self.view.tab = Tab::Curves;
        }
        match self.view.tab {
            Tab::Theory => return self.theory_tab(ui),
            Tab::Sweep => return self.sweep_tab(ui),
            Tab::Curves | Tab::Layers => {}
        }
        let sweeping = self.run.running.as_ref().is_some_and(|r| r.sweep);
        let point = self.run.sweep.is_some() || sweeping;
        if point && !self.point_header(ui) {
            return;
        }
        let running = self.is_running();
        let live = match (self.run.sweep.as_mut(), self.view.sweep_point) {
            (Some(s), Some(p)) if point => s.point_live(p),
            _ => self.run.live.as_ref(),
        };
        let Some(live) = live else {
            self.welcome(ui);
            return;
        };
        // A point's study is not the one being edited: its banner never says "out of date".
        let current = if point { &live.spec } else { &self.state.spec };
        run_banner(ui, live, current, running);
        let colors = &self.state.colors;
        legend(
            ui,
            &live.spec.initializer_names(),
            colors,
            &mut self.view.hidden,
        );
        if self.view.tab == Tab::Layers {
            layers::ui(
                ui,
                live,
                colors,
                &self.view.hidden,
                &mut self.view.layer_metric,
                &mut self.view.final_histograms,
            );
        } else {
            let style = plots::Style {
                view: &self.state.view,
                colors,
                hidden: &self.view.hidden,
            };
            plots::ui(ui, live, &style, &mut self.view.curves);
            ui.add_space(8.0);
            results_table::ui(
                ui,
                live,
                colors,
                &mut self.view.results_sort,
                &mut self.view.table,
            );
        }
    }

    /// The Theory tab, for the study as it is now (it needs the prepared data's shape and probe).
    fn theory_tab(&mut self, ui: &mut egui::Ui) {
        let Some(data) = self.prepared_shared() else {
            ui.label("The theory needs the dataset's shape: waiting for the data to be prepared…");
            return;
        };
        let probe = crate::study::probe_rows(&data, self.state.spec.seed);
        let generation = self.data.prepare_generation;
        let theory = self
            .view
            .theory
            .get(
                &self.state.spec,
                (data.n_inputs, data.n_outputs()),
                Some(&probe),
                generation,
            )
            .clone();
        theory_view::ui(ui, &theory, &mut self.view.theory, &self.state.colors);
    }

    /// Before the first run: what Run will do, and what it will need.
    fn welcome(&self, ui: &mut egui::Ui) {
        let spec = &self.state.spec;
        ui.add_space(40.0);
        if spec.is_sweep() {
            ui.vertical_centered(|ui| {
                ui.heading("Press Run to train the sweep");
                ui.label(format!(
                    "{} points × {} initializer(s) × {} repeat(s): {} networks (the Sweep \
                     section of the study panel sets the axes).",
                    spec.sweep.as_ref().map_or(1, |s| s.point_count()),
                    spec.initializers.len(),
                    spec.repeats,
                    spec.network_count()
                ));
            });
            return;
        }
        ui.vertical_centered(|ui| {
            ui.heading("Press Run to train the study");
            ui.label(format!(
                "{} initializer(s) × {} repeat(s) on {}: identical networks that differ only in \
                 their initial weights.",
                spec.initializers.len(),
                spec.repeats,
                spec.data.strip_prefix("bundled:").unwrap_or(&spec.data)
            ));
            if let Some(data) = self.prepared() {
                let threads = RunOptions::default().threads;
                let memory = estimate_memory(spec, data.n_inputs, data.n_outputs(), threads);
                let text = RichText::new(memory.to_string());
                if memory.fits() {
                    ui.label(text.weak());
                } else {
                    ui.colored_label(egui::Color32::from_rgb(200, 40, 40), text);
                }
            }
            ui.add_space(12.0);
            ui.label(
                RichText::new(
                    "Or open the Gallery (toolbar) for classic experiments: symmetry, Glorot & \
                     Bengio, He et al., Saxe et al., the edge of chaos, dynamical isometry, LSUV.",
                )
                .weak(),
            );
        });
    }
}

/// What the results on screen belong to: their dataset, task and size, whether the run was
/// stopped, and a warning when the study has changed since (results are never relabelled).
fn run_banner(ui: &mut egui::Ui, live: &Live, spec: &StudySpec, running: bool) {
    let data = live
        .spec
        .data
        .strip_prefix("bundled:")
        .unwrap_or(&live.spec.data);
    let last_epoch = live
        .runs
        .iter()
        .filter_map(|r| r.epochs.last().map(|e| e.epoch))
        .max()
        .unwrap_or(0);
    let stopped = !running
        && live
            .runs
            .iter()
            .any(|r| !r.diverged && last_epoch < live.spec.train.epochs);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Results of {data} ({}, validation {}): {} initializer(s) × {} repeat(s), {} epochs",
            match live.task {
                Task::Classification => "classification",
                Task::Regression => "regression",
            },
            live.task.score_name(),
            live.spec.initializers.len(),
            live.spec.repeats,
            live.spec.train.epochs,
        ));
        if stopped {
            ui.colored_label(
                WARN,
                format!(
                    "stopped at epoch {last_epoch} of {}",
                    live.spec.train.epochs
                ),
            );
        }
        if !same_study(&live.spec, spec) {
            ui.colored_label(
                WARN,
                "out of date: the study has changed since this run (press Run to update)",
            );
        }
    });
}

/// Whether `current` is still the study `ran` describes. The data path may be written
/// differently once resolved (a results file's relative path becomes the joined one), so the
/// dataset is compared by file name.
fn same_study(ran: &StudySpec, current: &StudySpec) -> bool {
    let name = |s: &StudySpec| {
        std::path::Path::new(&s.data)
            .file_name()
            .map(|f| f.to_os_string())
    };
    let mut a = ran.clone();
    a.data.clone_from(&current.data);
    a == *current && name(ran) == name(current)
}
