//! The Sweep tab (what the sweep is, its estimate and progress, the frontier or the heatmaps,
//! and the points to open), the line above a point's study views that says which point they
//! show, and the sweep's progress bar and confirmation in the toolbar.

use egui::{Button, RichText};

use super::live::Running;
use super::messages::estimate_text;
use super::sweep_live::SweepRun;
use super::widgets::legend;
use super::{InitlabApp, Tab, sweep_frontier, sweep_heatmap, sweep_ranking, sweep_table};
use crate::study::sweep::DEFAULT_MAX_NETWORKS;

use super::colors::WARN;

impl InitlabApp {
    /// Whether the Sweep tab has something to show: a sweep being edited or on screen.
    pub(super) fn has_sweep(&self) -> bool {
        self.state.spec.is_sweep() || self.run.sweep.is_some()
    }

    /// The Sweep tab.
    pub(super) fn sweep_tab(&mut self, ui: &mut egui::Ui) {
        let running = self.is_running();
        let Some(run) = &self.run.sweep else {
            let text = if running {
                "Estimating the sweep's time (a short calibration run on its most expensive \
                 point)…"
            } else {
                "Press Run to train every point of the sweep (the Sweep section of the study \
                 panel sets its axes)."
            };
            ui.add_space(20.0);
            ui.label(text);
            return;
        };
        sweep_header(ui, run, &self.state.spec, running);
        legend(
            ui,
            &run.analysis.inits,
            &self.state.colors,
            &mut self.view.hidden,
        );
        let axes = run
            .result
            .spec
            .sweep
            .as_ref()
            .map_or(&[][..], |s| &s.axes[..]);
        let (colors, hidden) = (&self.state.colors, &self.view.hidden);
        let charted = match axes {
            [axis] => sweep_frontier::ui(ui, run, axis, colors, hidden),
            _ => sweep_heatmap::ui(ui, run, axes, colors, hidden),
        };
        ui.add_space(8.0);
        let clicked = charted.or(sweep_table::ui(ui, run, colors));
        sweep_ranking::ui(ui, run, colors);
        if let Some(p) = clicked {
            self.view.sweep_point = Some(p);
            self.view.tab = Tab::Curves;
        }
    }

    /// Above the Curves and Layers views of a sweep: which point they show and the way back.
    /// Returns false when no point is open (the views then have nothing to show).
    pub(super) fn point_header(&mut self, ui: &mut egui::Ui) -> bool {
        let Some(run) = &self.run.sweep else {
            return false;
        };
        let Some(p) = self
            .view
            .sweep_point
            .filter(|&p| p < run.result.points.len())
        else {
            ui.add_space(20.0);
            ui.label(
                "This is a sweep: click a point in the Sweep tab to see its curves, layers \
                 and table.",
            );
            if ui.button("Go to the Sweep tab").clicked() {
                self.view.tab = Tab::Sweep;
            }
            return false;
        };
        let n = run.result.points.len();
        let mut go = None;
        ui.horizontal_wrapped(|ui| {
            if ui.button("Back to the sweep").clicked() {
                self.view.tab = Tab::Sweep;
            }
            ui.strong(format!("Sweep point {}: {}", p + 1, run.point_label(p)));
            ui.label(RichText::new(format!("of {n}")).weak());
            if ui
                .add_enabled(p > 0, Button::new("<"))
                .on_hover_text("previous point")
                .clicked()
            {
                go = Some(p - 1);
            }
            if ui
                .add_enabled(p + 1 < n, Button::new(">"))
                .on_hover_text("next point")
                .clicked()
            {
                go = Some(p + 1);
            }
            if run.is_live() && !run.point_done(p) {
                ui.colored_label(WARN, "training…");
            }
        });
        if let Some(q) = go {
            self.view.sweep_point = Some(q);
        }
        true
    }

    /// "Run anyway" for a sweep above the network limit.
    pub(super) fn confirm_row(&mut self, ui: &mut egui::Ui) {
        let Some(n) = self.view.confirm_networks else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                WARN,
                format!(
                    "This sweep trains {n} networks, above the limit of {DEFAULT_MAX_NETWORKS}."
                ),
            );
            if ui.button("Run anyway").clicked() {
                self.start_sweep(true);
            }
            if ui.button("Cancel").clicked() {
                self.cancel_confirmation();
            }
        });
    }
}

/// What the sweep is, its estimate, how far it got, and whether the study changed since.
fn sweep_header(
    ui: &mut egui::Ui,
    run: &SweepRun,
    current: &crate::study::StudySpec,
    running: bool,
) {
    let r = &run.result;
    let spec = &r.spec;
    let data = spec.data.strip_prefix("bundled:").unwrap_or(&spec.data);
    let axes: Vec<String> = spec
        .sweep
        .iter()
        .flat_map(|s| &s.axes)
        .map(|a| format!("{} ({} values)", a.name(), a.len()))
        .collect();
    let done = (0..r.points.len()).filter(|&p| run.point_done(p)).count();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Sweep of {data} over {}: {} points × {} initializer(s) × {} repeat(s), {} epochs",
            axes.join(" × "),
            r.points.len(),
            spec.initializers.len(),
            spec.repeats,
            spec.train.epochs
        ));
        if running || run.is_live() {
            ui.label(
                RichText::new(format!("{done} of {} points finished", r.points.len())).strong(),
            );
        } else if !r.completed {
            ui.colored_label(
                WARN,
                format!(
                    "stopped: {done} of {} points finished, the others keep their finished epochs",
                    r.points.len()
                ),
            );
        }
        if !same_sweep(spec, current) {
            ui.colored_label(WARN, "out of date: the study has changed since this sweep");
        }
    });
    if let Some(e) = &run.estimate {
        ui.label(RichText::new(format!("Estimated before training: {}", estimate_text(e))).weak());
    }
    ui.label(
        RichText::new(format!(
            "Trained: {}. Click a point to open its curves, layers and table.",
            crate::report::sweep::charts::rule_text(r)
        ))
        .weak(),
    );
}

/// Whether the current study is still the one the sweep ran (the data compared by file name,
/// as for a study).
fn same_sweep(ran: &crate::study::StudySpec, current: &crate::study::StudySpec) -> bool {
    let mut a = ran.clone();
    a.data.clone_from(&current.data);
    let name = |s: &str| {
        std::path::Path::new(s)
            .file_name()
            .map(|f| f.to_os_string())
    };
    a == *current && name(&ran.data) == name(&current.data)
}

/// The progress bar of a running sweep: network-epochs done and points finished.
pub(super) fn sweep_progress(ui: &mut egui::Ui, r: &Running, run: Option<&SweepRun>) {
    let frac = if r.total_steps == 0 {
        0.0
    } else {
        (r.done_steps as f32 / r.total_steps as f32).min(1.0)
    };
    let elapsed = r.started.elapsed().as_secs_f64();
    let text = match run {
        None => "estimating the time (a short calibration run)…".to_owned(),
        Some(run) => {
            let n = run.result.points.len();
            let done = (0..n).filter(|&p| run.point_done(p)).count();
            let eta = if frac > 0.01 {
                format!("{:.0} s left", elapsed * (1.0 - frac as f64) / frac as f64)
            } else {
                "…".into()
            };
            format!("sweep: {done} of {n} points finished · {eta}")
        }
    };
    ui.add(egui::ProgressBar::new(frac).text(text));
}
