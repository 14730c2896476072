//! Live curves: training and validation loss and the validation score per initializer, mean over
//! repeats with a min–max band. egui_plot has no log axis, so log scale plots log10 of the values
//! with axis labels and hover read-outs converted back.

use egui::Color32;
use egui_plot::{ColorConflictHandling, FilledArea, HoverPosition, Legend, Line, Plot};

use super::Live;
use super::state::ViewSettings;
use super::widgets::{color32, log_grid, tick_label};
use crate::report::{Curve, Metric, curve};

pub fn ui(ui: &mut egui::Ui, live: &Live, view: &ViewSettings) {
    let width = ui.available_width();
    let height = 260.0;
    ui.horizontal(|ui| {
        let w = (width - 16.0) / 2.0;
        ui.vertical(|ui| {
            ui.set_width(w);
            ui.strong("Training loss");
            plot(
                ui,
                "train-loss",
                live,
                Metric::TrainLoss,
                view,
                view.log_scale,
                height,
            );
        });
        ui.vertical(|ui| {
            ui.set_width(w);
            ui.strong("Validation loss");
            plot(
                ui,
                "val-loss",
                live,
                Metric::ValLoss,
                view,
                view.log_scale,
                height,
            );
        });
    });
    ui.strong(format!("Validation {}", live.task.score_name()));
    plot(
        ui,
        "val-score",
        live,
        Metric::ValScore,
        view,
        false,
        height * 0.8,
    );
}

/// Exponential moving average with factor `alpha` (0: unchanged).
fn smooth(v: &[f64], alpha: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(v.len());
    let mut s = None;
    for &x in v {
        let next = match s {
            None => x,
            Some(prev) => alpha * prev + (1.0 - alpha) * x,
        };
        s = Some(next);
        out.push(next);
    }
    out
}

fn transform(c: &Curve, alpha: f64, log: bool) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let f = |v: Vec<f64>| -> Vec<f64> {
        if log {
            v.into_iter().map(|y| y.log10()).collect()
        } else {
            v
        }
    };
    let keep: Vec<usize> = (0..c.epochs.len())
        .filter(|&i| !log || (c.min[i] > 0.0 && c.mean[i] > 0.0))
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let xs: Vec<f64> = keep.iter().map(|&i| c.epochs[i] as f64).collect();
    (
        xs,
        f(smooth(&pick(&c.mean), alpha)),
        f(smooth(&pick(&c.min), alpha)),
        f(smooth(&pick(&c.max), alpha)),
    )
}

fn plot(
    ui: &mut egui::Ui,
    id: &str,
    live: &Live,
    metric: Metric,
    view: &ViewSettings,
    log: bool,
    height: f32,
) {
    let alpha = view.smoothing as f64;
    let unlog = move |y: f64| if log { 10f64.powf(y) } else { y };
    let mut plot = Plot::new(id)
        .height(height)
        .legend(
            Legend::default()
                .follow_insertion_order(true)
                .color_conflict_handling(ColorConflictHandling::PickLast),
        )
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
    plot = if log {
        plot.y_grid_spacer(log_grid)
            .y_axis_formatter(|mark, _| tick_label(10f64.powf(mark.value)))
            .y_axis_label("log scale")
    } else {
        plot.y_axis_formatter(|mark, _| tick_label(mark.value))
    };
    plot.show(ui, |pui| {
        for (i, init) in live.spec.initializers.iter().enumerate() {
            let name = init.to_string();
            let c = curve(&live.runs, &name, metric);
            if c.epochs.is_empty() {
                continue;
            }
            let color = color32(i);
            let (xs, mean, lo, hi) = transform(&c, alpha, log);
            if view.show_bands && live.spec.repeats > 1 && xs.len() > 1 {
                let [r, g, b, _] = color.to_array();
                pui.add(
                    FilledArea::new(name.clone(), &xs, &lo, &hi)
                        .fill_color(Color32::from_rgba_unmultiplied(r, g, b, 40)),
                );
            }
            let points: Vec<[f64; 2]> = xs.iter().zip(&mean).map(|(x, y)| [*x, *y]).collect();
            pui.line(Line::new(name, points).color(color).width(2.0));
        }
    });
}
