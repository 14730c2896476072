//! The Gallery window: the experiments with a one-line claim each; opening one loads its study
//! (bundled data, and its sweep if it has one) and shows the citation, claim, setup and what
//! to look for; after Run, the verdict computed from the result, which also goes into the
//! exported report and results.json.

use egui::RichText;

use super::InitlabApp;
use crate::gallery::{EXPERIMENTS, Experiment, Size};
use crate::study::{Results, StudySpec, Verdict};

/// What the gallery shows (not persisted: the app always opens on the default study).
#[derive(Default)]
pub struct GalleryView {
    pub open: bool,
    /// Index into [`EXPERIMENTS`] of the experiment last opened.
    pub active: Option<usize>,
}

impl InitlabApp {
    /// The experiment whose study is loaded, if the study is still exactly its own.
    pub fn gallery_experiment(&self) -> Option<&'static Experiment> {
        let e = EXPERIMENTS.get(self.view.gallery.active?)?;
        (self.state.spec == (e.spec)(Size::Full)).then_some(e)
    }

    /// The verdict on the result on screen, once the active experiment's run has finished.
    pub fn gallery_verdict(&self) -> Option<&Verdict> {
        match (&self.run.result, &self.run.sweep) {
            (Some(r), _) => r.verdict.as_ref(),
            (None, Some(s)) if !s.is_live() => s.result.verdict.as_ref(),
            _ => None,
        }
    }

    /// Loads experiment `index`: its study replaces the current one (data included).
    pub fn open_experiment(&mut self, index: usize) {
        let Some(e) = EXPERIMENTS.get(index) else {
            return;
        };
        let spec: StudySpec = (e.spec)(Size::Full);
        let source = spec.data_source(None);
        self.state.spec = spec;
        self.view.gallery.active = Some(index);
        self.view.sweep_point = None;
        self.data.study_dir = None;
        self.data.prepared = None;
        self.data.prepared_key = None;
        self.request_load(source);
        self.set_status(false, format!("opened the gallery experiment {}", e.name));
    }

    /// Attaches the active experiment's verdict to a finished result of its own study.
    pub(super) fn judge_gallery(&mut self) {
        if self.is_running() {
            return;
        }
        let Some(e) = self.gallery_experiment() else {
            return;
        };
        if let Some(r) = self.run.result.as_mut().filter(|r| r.verdict.is_none()) {
            if r.completed && r.spec == self.state.spec {
                let v = e.verdict(&Results::Study(Box::new(r.clone())));
                r.verdict = Some(v);
            }
        } else if let Some(s) = self.run.sweep.as_mut().filter(|s| !s.is_live()) {
            let r = &mut s.result;
            if r.verdict.is_none() && r.completed && r.spec == self.state.spec {
                r.verdict = Some(e.verdict(&Results::Sweep(Box::new(r.clone()))));
            }
        }
    }

    /// The Gallery window, when open.
    pub(super) fn gallery_window(&mut self, ctx: &egui::Context) {
        let mut open = self.view.gallery.open;
        let mut chosen = None;
        egui::Window::new("Gallery")
            .open(&mut open)
            .default_width(560.0)
            .default_pos(egui::pos2(360.0, 140.0))
            .vscroll(true)
            .show(ctx, |ui| {
                // The open experiment first, so that its verdict is in view after a run.
                if let Some(e) = self.gallery_experiment() {
                    page(ui, e, self.gallery_verdict());
                    ui.separator();
                }
                chosen = list(ui);
            });
        self.view.gallery.open = open;
        if let Some(i) = chosen {
            self.open_experiment(i);
        }
    }
}

/// One row per experiment: its name (a button that opens it) and its title.
fn list(ui: &mut egui::Ui) -> Option<usize> {
    ui.label("Classic results, each an ordinary study: open one, press Run, read the verdict.");
    let mut chosen = None;
    egui::Grid::new("gallery-list")
        .striped(true)
        .show(ui, |ui| {
            for (i, e) in EXPERIMENTS.iter().enumerate() {
                if ui.button(e.name).on_hover_text(e.claim).clicked() {
                    chosen = Some(i);
                }
                ui.label(e.title);
                ui.end_row();
            }
        });
    chosen
}

/// The experiment's page: citation, claim, setup, what to look for, and the verdict.
fn page(ui: &mut egui::Ui, e: &Experiment, verdict: Option<&Verdict>) {
    ui.heading(e.title);
    ui.label(RichText::new(e.citation).italics());
    ui.label(RichText::new(format!("Claim: {}", e.claim)).strong());
    verdict_line(ui, verdict);
    ui.label(format!("What to look for: {}", e.look_for));
    ui.label(RichText::new(format!("Setup: {}", e.setup)).weak());
}

/// "Verdict: reproduced: ..." in green, "not reproduced" in red, or what to do to get one.
fn verdict_line(ui: &mut egui::Ui, verdict: Option<&Verdict>) {
    match verdict {
        Some(v) => {
            let color = if v.reproduced {
                egui::Color32::from_rgb(26, 140, 60)
            } else {
                egui::Color32::from_rgb(190, 60, 40)
            };
            ui.label(RichText::new(format!("Verdict: {}", v.text)).color(color));
        }
        None => {
            ui.label("Press Run: the verdict appears here when the run has finished.");
        }
    }
}
