//! The Theory tab: mean-field predictions for the study as it is edited (no training needed):
//! the phase diagram with each initializer placed on it and the study's depth marked, a table of
//! each initializer's coordinates and Jacobian spectrum, and the signal-propagation profile
//! measured on the arm the study draws, with the prediction drawn over it.

use egui::RichText;
use egui_plot::{Line, Plot, Points};

use super::colors::Colors;
use super::widgets::{log_grid, tick_label};
use crate::activation::Activation;
use crate::study::StudySpec;
use crate::theory::{PhaseDiagram, StudyTheory, phase_diagram, study_theory};

/// The diagram's σ_b² range: Schoenholz et al.'s figures span about this much.
const B_MAX: f64 = 0.3;

/// Theory computed for the current study, recomputed only when what it depends on changes.
#[derive(Default)]
pub struct TheoryCache {
    key: Option<(StudySpec, usize, usize, u64)>,
    theory: Option<StudyTheory>,
    diagram: Option<(Activation, f64, PhaseDiagram)>,
}

impl TheoryCache {
    /// The theory of `spec` on data with `dims` inputs and outputs, measured on `probe`;
    /// `generation` changes whenever the prepared data does.
    pub fn get(
        &mut self,
        spec: &StudySpec,
        dims: (usize, usize),
        probe: Option<&[f32]>,
        generation: u64,
    ) -> &StudyTheory {
        let mut relevant = spec.clone();
        relevant.train = Default::default();
        relevant.repeats = 1;
        let key = Some((relevant, dims.0, dims.1, generation));
        if self.key != key {
            self.theory = None;
            self.key = key;
        }
        self.theory
            .get_or_insert_with(|| study_theory(spec, dims, probe))
    }

    fn diagram(&mut self, activation: Activation, w_max: f64, depth: usize) -> &PhaseDiagram {
        let fresh = matches!(&self.diagram, Some((a, w, _)) if *a == activation && *w == w_max);
        if !fresh {
            self.diagram = None;
        }
        &self
            .diagram
            .get_or_insert_with(|| {
                let levels = depth_levels(depth);
                let d = phase_diagram(activation, (w_max, B_MAX), (24, 10), &levels);
                (activation, w_max, d)
            })
            .2
    }
}

/// The contour levels of 6 ξ_c drawn: the study's depth first, then reference depths.
fn depth_levels(depth: usize) -> Vec<f64> {
    let mut v = vec![depth.max(1) as f64];
    v.extend(
        [10.0, 50.0, 200.0]
            .into_iter()
            .filter(|l| *l != depth as f64),
    );
    v
}

pub fn ui(ui: &mut egui::Ui, theory: &StudyTheory, cache: &mut TheoryCache, colors: &Colors) {
    ui.label(
        RichText::new(format!(
            "Mean-field theory at initialization for {} (Poole et al. 2016; Schoenholz et al. \
             2017), with σ_b² = 0 (constant biases). Nothing here needs training.",
            theory.activation.name()
        ))
        .weak(),
    );
    let w_max = theory
        .inits
        .iter()
        .filter_map(|i| i.point.as_ref().map(|p| p.sigma_w2))
        .filter(|w| *w <= 10.0)
        .fold(4.0f64, |m, w| m.max(w * 1.2));
    let width = ui.available_width();
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width * 0.5 - 8.0);
            ui.strong("Phase diagram: order (left), chaos (right)");
            let diagram = cache.diagram(theory.activation, w_max, theory.depth);
            phase_plot(ui, theory, diagram, colors);
        });
        ui.vertical(|ui| {
            ui.set_width(width * 0.5 - 8.0);
            ui.strong("Signal propagation at initialization: q^l per layer");
            lengths_plot(ui, theory, colors);
        });
    });
    coordinates_table(ui, theory, colors);
}

fn phase_plot(ui: &mut egui::Ui, theory: &StudyTheory, d: &PhaseDiagram, colors: &Colors) {
    let w_max = d.critical.iter().map(|p| p[0]).fold(4.0f64, f64::max).max(
        theory
            .inits
            .iter()
            .filter_map(|i| i.point.as_ref())
            .map(|p| p.sigma_w2)
            .filter(|w| *w <= 10.0)
            .fold(0.0, f64::max)
            * 1.2,
    );
    Plot::new("phase-diagram")
        .height(260.0)
        .default_x_bounds(0.0, w_max)
        .default_y_bounds(0.0, B_MAX)
        .x_axis_label("σ_w² (weight variance × fan-in)")
        .y_axis_label("σ_b²")
        .y_axis_formatter(|m, _| tick_label(m.value))
        .x_axis_formatter(|m, _| tick_label(m.value))
        .show(ui, |pui| {
            pui.line(
                Line::new("χ₁ = 1 (edge of chaos)", d.critical.clone())
                    .color(egui::Color32::WHITE)
                    .width(2.5),
            );
            for (k, (level, ordered, chaotic)) in d.contours.iter().enumerate() {
                let (color, width) = if k == 0 {
                    (egui::Color32::from_rgb(230, 180, 60), 2.0)
                } else {
                    (egui::Color32::from_gray(120), 1.0)
                };
                let name = if k == 0 {
                    format!("6 ξ_c = {level} (this study's depth)")
                } else {
                    format!("6 ξ_c = {level}")
                };
                for side in [ordered, chaotic] {
                    if side.len() > 1 {
                        pui.line(
                            Line::new(name.clone(), side.clone())
                                .color(color)
                                .width(width),
                        );
                    }
                }
            }
            // A point far to the right (normal:1 on 128 inputs: σ_w² = 128) sits on the edge
            // with its value in the name, so the interesting region keeps its scale.
            for init in &theory.inits {
                if let Some(p) = &init.point {
                    let (x, name) = if p.sigma_w2 > w_max {
                        (
                            w_max,
                            format!(
                                "{} (σ_w² = {}, off the chart)",
                                init.name,
                                tick_label(p.sigma_w2)
                            ),
                        )
                    } else {
                        (p.sigma_w2, init.name.clone())
                    };
                    pui.points(
                        Points::new(name, vec![[x, p.sigma_b2]])
                            .radius(6.0)
                            .color(colors.of(&init.name)),
                    );
                }
            }
        });
}

/// Measured q^l (points) against the length map's prediction (line), log scale.
fn lengths_plot(ui: &mut egui::Ui, theory: &StudyTheory, colors: &Colors) {
    Plot::new("signal-lengths")
        .height(260.0)
        .x_axis_label("layer")
        .y_axis_label("log scale")
        .y_grid_spacer(log_grid)
        .y_axis_formatter(|m, _| tick_label(10f64.powf(m.value)))
        .show(ui, |pui| {
            for init in &theory.inits {
                let color = colors.of(&init.name);
                if let Some(pred) = &init.coords.lengths {
                    let pts: Vec<[f64; 2]> = pred
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| **q > 0.0)
                        .map(|(l, q)| [(l + 1) as f64, q.log10()])
                        .collect();
                    pui.line(Line::new(init.name.clone(), pts).color(color).width(1.5));
                }
                if let Some(m) = &init.measured {
                    let pts: Vec<[f64; 2]> = m
                        .iter()
                        .filter(|x| x.q > 0.0)
                        .map(|x| [(x.layer + 1) as f64, x.q.log10()])
                        .collect();
                    pui.points(Points::new(init.name.clone(), pts).radius(3.5).color(color));
                }
            }
        });
    ui.label(RichText::new("lines: prediction; dots: measured on the probe batch").weak());
}

fn coordinates_table(ui: &mut egui::Ui, theory: &StudyTheory, colors: &Colors) {
    ui.add_space(6.0);
    egui::Grid::new("theory-table")
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "initializer",
                "σ_w²",
                "χ₁",
                "ξ_c",
                "6 ξ_c",
                "phase",
                "Jacobian mean s²",
                "var s²",
                "s_max",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for init in &theory.inits {
                ui.colored_label(colors.of(&init.name), &init.name);
                match &init.point {
                    Some(p) => {
                        for v in [p.sigma_w2, p.chi_1, p.xi_c, p.max_depth] {
                            ui.label(tick_label_or_inf(v));
                        }
                        ui.label(format!("{:?}", p.phase).to_lowercase());
                    }
                    None => {
                        for _ in 0..5 {
                            ui.label("—");
                        }
                    }
                }
                match &init.spectrum {
                    Some(s) => {
                        for v in [s.mean_sq, s.var_sq, s.s_max] {
                            ui.label(tick_label(v));
                        }
                    }
                    None => {
                        for _ in 0..3 {
                            ui.label("—");
                        }
                    }
                }
                ui.end_row();
            }
        });
}

fn tick_label_or_inf(v: f64) -> String {
    if v.is_infinite() {
        "∞".into()
    } else {
        tick_label(v)
    }
}
