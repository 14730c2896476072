//! Live curves: training and validation loss and the validation score per initializer, mean over
//! repeats with a min–max band. egui_plot has no log axis, so log scale plots log10 of the values
//! with axis labels and hover read-outs converted back.

use egui::Color32;
use egui_plot::{FilledArea, HoverPosition, Line, Plot};

use super::Live;
use super::colors::Colors;
use super::curve_cache::{CurveCache, Drawn};
use super::state::ViewSettings;
use super::widgets::{linear_grid, log_grid, tick_label};
use crate::data::Task;
use crate::report::Metric;

/// What the curves of one run are drawn with: the view settings, each initializer's colour,
/// and the initializers the user has hidden in the shared legend.
pub struct Style<'a> {
    pub view: &'a ViewSettings,
    pub colors: &'a Colors,
    pub hidden: &'a [String],
}

/// The three charts of the Curves tab.
pub fn ui(ui: &mut egui::Ui, live: &Live, style: &Style<'_>, cache: &mut CurveCache) {
    let width = ui.available_width();
    let height = 260.0;
    let log = style.view.log_scale;
    ui.horizontal(|ui| {
        let w = (width - 16.0) / 2.0;
        for (title, id, metric) in [
            ("Training loss", "train-loss", Metric::TrainLoss),
            ("Validation loss", "val-loss", Metric::ValLoss),
        ] {
            ui.vertical(|ui| {
                ui.set_width(w);
                ui.strong(title);
                plot(ui, id, live, (metric, cache), style, log, height);
            });
        }
    });
    ui.horizontal(|ui| {
        ui.strong(format!("Validation {}", live.task.score_name()));
        if clipped_below(live) {
            ui.label(
                egui::RichText::new(
                    "(the axis starts at R² = -1: lower curves run off the bottom; \
                     double-click the chart to fit them all)",
                )
                .weak(),
            );
        }
    });
    plot(
        ui,
        "val-score",
        live,
        (Metric::ValScore, cache),
        style,
        false,
        height * 0.8,
    );
}

/// Whether some regression score lies below the score axis' default floor (R² = -1).
fn clipped_below(live: &Live) -> bool {
    live.task == Task::Regression
        && live
            .runs
            .iter()
            .flat_map(|r| &r.epochs)
            .any(|e| e.val_r2.is_some_and(|v| v < -1.0))
}

/// The y range that shows every initializer that did not diverge: a diverged arm's last
/// finite values (1e19 and more) would otherwise flatten every other curve. `None` when no arm
/// diverged (egui_plot's own fit is right then). Scores are clipped below at R² = -1 (a very bad
/// regression arm would flatten the rest) and span [0, 1] for accuracy. `drawn` is in the
/// chart's units (log10 on a log chart).
fn default_range(live: &Live, drawn: &[Drawn], metric: Metric) -> Option<(f64, f64)> {
    let any_diverged = drawn.iter().any(|d| d.diverged);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for d in drawn.iter().filter(|d| !d.diverged) {
        for v in d.lo.iter().chain(&d.hi).filter(|v| v.is_finite()) {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if metric == Metric::ValScore {
        let floor = if live.task == Task::Regression {
            -1.0
        } else {
            0.0
        };
        return Some((lo.max(floor).min(0.0), hi.max(1.0)));
    }
    if !(any_diverged && lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    Some((lo - pad, hi + pad))
}

/// A curve chart: epochs linked across the charts, compact ticks (decades on a log axis), and
/// a hover read-out in the data's units.
fn base_plot(id: &str, height: f32, log: bool) -> Plot<'_> {
    let unlog = move |y: f64| if log { 10f64.powf(y) } else { y };
    let plot = Plot::new(id)
        .height(height)
        .x_axis_label("epoch")
        .link_axis(egui::Id::unique("epochs"), [true, false])
        .link_cursor(egui::Id::unique("epochs"), [true, false])
        .label_formatter(move |p| match p {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{plot_name}\nepoch {:.0}: {}",
                position.x,
                crate::report::num(unlog(position.y))
            )),
            HoverPosition::Elsewhere { .. } => None,
        });
    if log {
        plot.y_grid_spacer(log_grid)
            .y_axis_formatter(|mark, _| tick_label(10f64.powf(mark.value)))
            .y_axis_label("log scale")
    } else {
        plot.y_grid_spacer(linear_grid)
            .y_axis_formatter(|mark, _| tick_label(mark.value))
    }
}

fn plot(
    ui: &mut egui::Ui,
    id: &str,
    live: &Live,
    (metric, cache): (Metric, &mut CurveCache),
    style: &Style<'_>,
    log: bool,
    height: f32,
) {
    let view = style.view;
    let drawn = cache.get(live, metric, view.smoothing, log);
    let mut plot = base_plot(id, height, log);
    if let Some((lo, hi)) = default_range(live, drawn, metric) {
        plot = plot.default_y_bounds(lo, hi);
    }
    // The read-out appears within 16 px of a curve (egui's default, 5 px, needed pixel aim).
    ui.scope(|ui| {
        ui.style_mut().interaction.interact_radius = 16.0;
        plot.show(ui, |pui| {
            for d in drawn {
                if style.hidden.contains(&d.name) || d.xs.is_empty() {
                    continue;
                }
                let color = style.colors.of(&d.name);
                if view.show_bands && live.spec.repeats > 1 && d.xs.len() > 1 {
                    let [r, g, b, _] = color.to_array();
                    pui.add(
                        FilledArea::new(d.name.clone(), &d.xs, &d.lo, &d.hi)
                            .fill_color(Color32::from_rgba_unmultiplied(r, g, b, 40)),
                    );
                }
                let points: Vec<[f64; 2]> =
                    d.xs.iter().zip(&d.mean).map(|(x, y)| [*x, *y]).collect();
                pui.line(Line::new(d.name.clone(), points).color(color).width(2.0));
            }
        });
    });
}
