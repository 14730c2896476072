//! The "Layers" view: per-layer diagnostics over epochs (one colour per initializer, mean over
//! repeats) and activation histograms at initialization and at the end, in the style of Glorot &
//! Bengio (2010), Figure 6.

use egui_plot::{Line, Plot};

use super::Live;
use super::colors::Colors;
use super::widgets::{linear_grid, tick_label};
use crate::diagnostics::LayerStats;
use crate::study::RunResult;

/// Which per-layer number the charts follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum LayerMetric {
    #[default]
    ActStd,
    PreStd,
    Saturated,
    Dead,
    DistinctUnits,
    GradNorm,
    WeightNorm,
}

impl LayerMetric {
    const ALL: [LayerMetric; 7] = [
        LayerMetric::ActStd,
        LayerMetric::PreStd,
        LayerMetric::Saturated,
        LayerMetric::Dead,
        LayerMetric::DistinctUnits,
        LayerMetric::GradNorm,
        LayerMetric::WeightNorm,
    ];

    fn label(self) -> &'static str {
        match self {
            LayerMetric::ActStd => "activation std",
            LayerMetric::PreStd => "pre-activation std",
            LayerMetric::Saturated => "saturated fraction (tanh/sigmoid)",
            LayerMetric::Dead => "dead ReLU fraction",
            LayerMetric::DistinctUnits => "distinct hidden units",
            LayerMetric::GradNorm => "weight-gradient norm",
            LayerMetric::WeightNorm => "weight norm",
        }
    }

    fn of(self, s: &LayerStats) -> Option<f64> {
        match self {
            LayerMetric::ActStd => Some(s.act_std),
            LayerMetric::PreStd => Some(s.pre_std),
            LayerMetric::Saturated => s.saturated,
            LayerMetric::Dead => s.dead,
            LayerMetric::DistinctUnits => Some(s.distinct_units as f64),
            LayerMetric::GradNorm => s.grad_norm,
            LayerMetric::WeightNorm => Some(s.weight_norm),
        }
    }
}

/// Mean over an initializer's repeats of `metric` at `layer`, per epoch.
fn series(runs: &[RunResult], init: &str, layer: usize, metric: LayerMetric) -> Vec<[f64; 2]> {
    let mine: Vec<&RunResult> = runs.iter().filter(|r| r.initializer == init).collect();
    let epochs = mine
        .iter()
        .filter_map(|r| r.diagnostics.as_ref().map(|d| d.epochs.len()))
        .max()
        .unwrap_or(0);
    (0..epochs)
        .filter_map(|k| {
            let v: Vec<(usize, f64)> = mine
                .iter()
                .filter_map(|r| r.diagnostics.as_ref()?.epochs.get(k))
                .filter_map(|e| Some((e.epoch, metric.of(e.layers.get(layer)?)?)))
                .collect();
            let epoch = v.first()?.0;
            Some([
                epoch as f64,
                v.iter().map(|x| x.1).sum::<f64>() / v.len() as f64,
            ])
        })
        .collect()
}

/// The Layers tab: the chosen per-layer metric over epochs and the activation histograms, one
/// chart per hidden layer, with one legend for all.
pub fn ui(
    ui: &mut egui::Ui,
    live: &Live,
    colors: &Colors,
    hidden: &[String],
    metric: &mut LayerMetric,
    final_histograms: &mut bool,
) {
    if !has_diagnostics(live, ui) {
        return;
    }
    let inits: Vec<String> = live
        .spec
        .initializer_names()
        .into_iter()
        .filter(|n| !hidden.contains(n))
        .collect();
    metric_picker(ui, metric);
    let hidden = live.spec.model.hidden.len();
    // Both sets of charts share the tab's height; each chart is at least 150 px tall.
    let rows = 2 * hidden.div_ceil(per_row(hidden));
    let height = ((ui.available_height() - 80.0) / rows as f32 - 24.0).clamp(150.0, 600.0);
    layer_grid(ui, hidden, |ui, layer| {
        ui.label(format!("hidden layer {}: {}", layer + 1, metric.label()));
        chart(("layer-plot", layer), height)
            .x_axis_label("epoch")
            .show(ui, |pui| {
                for name in &inits {
                    let pts = series(&live.runs, name, layer, *metric);
                    if !pts.is_empty() {
                        pui.line(
                            Line::new(name.clone(), pts)
                                .color(colors.of(name))
                                .width(2.0),
                        );
                    }
                }
            });
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.strong("Activation histograms (first repeat)");
        ui.selectable_value(final_histograms, false, "at initialization");
        ui.selectable_value(final_histograms, true, "after training");
    });
    layer_grid(ui, hidden, |ui, layer| {
        ui.label(format!("hidden layer {} activations", layer + 1));
        chart(("layer-hist", layer), height)
            .y_axis_label("fraction")
            .show(ui, |pui| {
                for name in &inits {
                    if let Some(pts) = histogram(&live.runs, name, layer, *final_histograms) {
                        pui.line(
                            Line::new(name.clone(), pts)
                                .color(colors.of(name))
                                .width(2.0),
                        );
                    }
                }
            });
    });
}

/// False (and says why) when no run has per-layer diagnostics yet.
fn has_diagnostics(live: &Live, ui: &mut egui::Ui) -> bool {
    let any = live
        .runs
        .iter()
        .any(|r| r.diagnostics.as_ref().is_some_and(|d| !d.epochs.is_empty()));
    if !any {
        ui.label(
            "No diagnostics yet: they are measured at initialization and after every epoch \
             (turn them on in the study file with \"diagnostics\": true).",
        );
    }
    any
}

fn metric_picker(ui: &mut egui::Ui, metric: &mut LayerMetric) {
    ui.horizontal(|ui| {
        let l = ui.label("Per-layer chart:");
        egui::ComboBox::from_id_salt("layer-metric")
            .selected_text(metric.label())
            .show_ui(ui, |ui| {
                for m in LayerMetric::ALL {
                    ui.selectable_value(metric, m, m.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// A small-multiple chart: no legend of its own, compact tick labels.
fn chart<'a>(id: (&str, usize), height: f32) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .y_grid_spacer(linear_grid)
        .y_axis_formatter(|mark, _| tick_label(mark.value))
        .x_axis_formatter(|mark, _| tick_label(mark.value))
}

/// The first repeat's activation histogram of `init` at `layer` (fractions per bin centre).
fn histogram(runs: &[RunResult], init: &str, layer: usize, final_: bool) -> Option<Vec<[f64; 2]>> {
    let d = runs
        .iter()
        .find(|r| r.initializer == init)?
        .diagnostics
        .as_ref()?;
    let h = if final_ {
        d.histograms_final.get(layer)?
    } else {
        d.histograms_init.get(layer)?
    };
    let total = h.counts.iter().sum::<u32>().max(1) as f64;
    let w = (h.hi - h.lo) / h.counts.len().max(1) as f64;
    Some(
        h.counts
            .iter()
            .enumerate()
            .map(|(k, &c)| [h.lo + (k as f64 + 0.5) * w, c as f64 / total])
            .collect(),
    )
}

/// Charts per row: up to three, fewer when there are fewer layers, so they fill the width.
fn per_row(hidden: usize) -> usize {
    hidden.clamp(1, 3)
}

/// Small multiples, one per hidden layer.
fn layer_grid(ui: &mut egui::Ui, hidden: usize, mut cell: impl FnMut(&mut egui::Ui, usize)) {
    let n = per_row(hidden);
    let width = (ui.available_width() - 12.0 * n as f32) / n as f32;
    for row in (0..hidden).collect::<Vec<_>>().chunks(n) {
        ui.horizontal(|ui| {
            for &layer in row {
                ui.vertical(|ui| {
                    ui.set_width(width);
                    cell(ui, layer);
                });
            }
        });
    }
}
