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

/// Which measured quantity the propagation chart follows (Brock, De & Smith 2021 read the unit
/// mean and variance apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagated {
    #[default]
    Length,
    UnitMeanSq,
    UnitVar,
    Correlation,
    Gradient,
    WeightGradient,
}

impl Propagated {
    const ALL: [Propagated; 6] = [
        Propagated::Length,
        Propagated::UnitMeanSq,
        Propagated::UnitVar,
        Propagated::Correlation,
        Propagated::Gradient,
        Propagated::WeightGradient,
    ];

    fn label(self) -> &'static str {
        match self {
            Propagated::Length => "q^l (mean square)",
            Propagated::UnitMeanSq => "unit mean²",
            Propagated::UnitVar => "unit variance",
            Propagated::Correlation => "input correlation",
            Propagated::Gradient => "||dL/dh^l||² / output's",
            Propagated::WeightGradient => "||dL/dW^l||²",
        }
    }

    /// Log scale for everything but the correlation, which lives in [-1, 1].
    fn log(self) -> bool {
        self != Propagated::Correlation
    }
}

/// Theory computed for the current study, recomputed only when what it depends on changes.
#[derive(Default)]
pub struct TheoryCache {
    /// The quantity the propagation chart shows.
    pub propagated: Propagated,
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
            ui.set_width(width * 0.5 - 14.0);
            ui.strong("Phase diagram: order (left), chaos (right)");
            let diagram = cache.diagram(theory.activation, w_max, theory.depth);
            phase_plot(ui, theory, diagram, colors);
        });
        ui.vertical(|ui| {
            ui.set_width(width * 0.5 - 14.0);
            let chosen = &mut cache.propagated;
            ui.horizontal(|ui| {
                let l = ui.strong("Signal propagation at init:");
                egui::ComboBox::from_id_salt("propagated")
                    .selected_text(chosen.label())
                    .show_ui(ui, |ui| {
                        for m in Propagated::ALL {
                            ui.selectable_value(chosen, m, m.label());
                        }
                    })
                    .response
                    .labelled_by(l.id);
            });
            propagation_plot(ui, theory, *chosen, colors);
        });
    });
    coordinates_table(ui, theory, colors);
    ui.add_space(6.0);
    ui.strong("Singular values of the input-output Jacobian at initialization (probe inputs)");
    spectrum_plot(ui, theory, colors);
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
            contours(pui, d);
            points(pui, theory, w_max, colors);
        });
}

/// The contours of 6 ξ_c, the study's depth highlighted.
fn contours(pui: &mut egui_plot::PlotUi<'_>, d: &PhaseDiagram) {
    for (k, (level, ordered, chaotic)) in d.contours.iter().enumerate() {
        let (color, width, name) = if k == 0 {
            let name = format!("6 ξ_c = {level} (this study's depth)");
            (egui::Color32::from_rgb(230, 180, 60), 2.0, name)
        } else {
            (
                egui::Color32::from_gray(120),
                1.0,
                format!("6 ξ_c = {level}"),
            )
        };
        for side in [ordered, chaotic].into_iter().filter(|s| s.len() > 1) {
            pui.line(
                Line::new(name.clone(), side.clone())
                    .color(color)
                    .width(width),
            );
        }
    }
}

/// Each initializer's point. One far to the right (normal:1 on 128 inputs: σ_w² = 128) sits on
/// the edge with its value in the name, so the interesting region keeps its scale.
fn points(pui: &mut egui_plot::PlotUi<'_>, theory: &StudyTheory, w_max: f64, colors: &Colors) {
    for init in &theory.inits {
        let Some(p) = &init.point else { continue };
        let (x, name) = if p.sigma_w2 > w_max {
            let v = tick_label(p.sigma_w2);
            (w_max, format!("{} (σ_w² = {v}, off the chart)", init.name))
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

/// One measured quantity per layer (dots) with the mean-field prediction (line) where the
/// theory gives one: the length map for q^l, powers of chi_1 for the gradient.
fn propagation_plot(ui: &mut egui::Ui, theory: &StudyTheory, what: Propagated, colors: &Colors) {
    let log = what.log();
    let y = move |v: f64| if log { v.log10() } else { v };
    let mut plot = Plot::new("signal-propagation")
        .height(240.0)
        .x_axis_label("layer");
    plot = if log {
        plot.y_axis_label("log scale")
            .y_grid_spacer(log_grid)
            .y_axis_formatter(|m, _| tick_label(10f64.powf(m.value)))
    } else {
        plot.y_axis_formatter(|m, _| tick_label(m.value))
    };
    plot.show(ui, |pui| {
        for init in &theory.inits {
            let color = colors.of(&init.name);
            let predicted = match what {
                Propagated::Length => init.coords.lengths.as_ref(),
                Propagated::Gradient => init.coords.gradients.as_ref(),
                _ => None,
            };
            if let Some(pred) = predicted {
                let pts = series(pred.iter().copied(), log, y);
                pui.line(Line::new(init.name.clone(), pts).color(color).width(1.5));
            }
            if let Some(m) = &init.measured {
                let last_grad = m.last().map_or(1.0, |l| l.grad_sq).max(f64::MIN_POSITIVE);
                let values = m.iter().map(|l| match what {
                    Propagated::Length => l.q,
                    Propagated::UnitMeanSq => l.unit_mean_sq,
                    Propagated::UnitVar => l.unit_var,
                    Propagated::Correlation => l.correlation,
                    Propagated::Gradient => l.grad_sq / last_grad,
                    Propagated::WeightGradient => l.weight_grad_sq,
                });
                let pts = series(values, log, y);
                pui.points(Points::new(init.name.clone(), pts).radius(3.5).color(color));
            }
        }
    });
    ui.label(
        RichText::new("lines: mean-field prediction; dots: measured on the probe batch").weak(),
    );
}

/// `(layer, value)` points, 1-based layers, dropping values a log axis cannot show.
fn series(values: impl Iterator<Item = f64>, log: bool, y: impl Fn(f64) -> f64) -> Vec<[f64; 2]> {
    values
        .enumerate()
        .filter(|(_, v)| v.is_finite() && (!log || *v > 0.0))
        .map(|(l, v)| [(l + 1) as f64, y(v)])
        .collect()
}

/// A histogram of each initializer's Jacobian singular values (pooled over probe inputs), on a
/// log axis: spectra of different initializers differ by orders of magnitude.
fn spectrum_plot(ui: &mut egui::Ui, theory: &StudyTheory, colors: &Colors) {
    const BINS: usize = 40;
    let all = || {
        theory
            .inits
            .iter()
            .filter_map(|i| i.spectrum.as_ref())
            .flat_map(|s| s.singular_values.iter().copied())
            .filter(|v| v.is_finite() && *v > 1e-8)
    };
    let lo = all().fold(f64::INFINITY, f64::min).log10();
    let hi = all().fold(f64::NEG_INFINITY, f64::max).log10();
    if !(lo.is_finite() && hi.is_finite()) {
        return;
    }
    let (lo, span) = (lo - 0.05, (hi - lo + 0.1).max(0.1));
    Plot::new("jacobian-spectrum")
        .height(180.0)
        .x_axis_label("singular value (log scale)")
        .y_axis_label("fraction")
        .x_grid_spacer(log_grid)
        .x_axis_formatter(|m, _| tick_label(10f64.powf(m.value)))
        .y_axis_formatter(|m, _| tick_label(m.value))
        .show(ui, |pui| {
            for init in &theory.inits {
                let Some(s) = &init.spectrum else { continue };
                let mut counts = [0usize; BINS];
                for v in s.singular_values.iter().filter(|v| **v > 1e-8) {
                    let b = ((v.log10() - lo) / span * BINS as f64).floor().max(0.0) as usize;
                    counts[b.min(BINS - 1)] += 1;
                }
                let n = s.singular_values.len().max(1) as f64;
                let pts: Vec<[f64; 2]> = counts
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| [lo + (k as f64 + 0.5) * span / BINS as f64, c as f64 / n])
                    .collect();
                let line = Line::new(init.name.clone(), pts).color(colors.of(&init.name));
                pui.line(line.width(2.0));
            }
        });
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
