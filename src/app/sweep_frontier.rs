//! The frontier of a one-axis sweep: the swept value on x (log2 for depth, width and batch,
//! log10 for the learning rate, as the report draws it), the final validation loss (log scale,
//! min–max band over repeats) and the share of repeats that trained on y, one line per
//! initializer. Only finished points are drawn, so the lines grow point by point. Clicking the
//! chart opens the point nearest the click.

use egui::Color32;
use egui_plot::{FilledArea, GridMark, HoverPosition, Line, Plot, Points};

use super::colors::Colors;
use super::sweep_live::SweepRun;
use super::widgets::tick_label;
use crate::report::sweep::charts::{axis_title, position};
use crate::study::sweep::Axis;

/// One initializer's values at the finished points: x, mean, min, max (in plot units).
type Series = Vec<(f64, f64, f64, f64)>;

/// Draws both charts; returns the point the user clicked.
pub fn ui(
    ui: &mut egui::Ui,
    run: &SweepRun,
    axis: &Axis,
    colors: &Colors,
    hidden: &[String],
) -> Option<usize> {
    let xs: Vec<f64> = (0..axis.len()).map(|i| position(axis, i)).collect();
    let width = ui.available_width();
    let mut clicked = None;
    ui.horizontal(|ui| {
        let w = (width - 16.0) / 2.0;
        for loss in [true, false] {
            ui.vertical(|ui| {
                ui.set_width(w);
                ui.strong(if loss {
                    "Final validation loss (mean over repeats, band: min–max)"
                } else {
                    "Share of repeats that trained"
                });
                let got = chart(ui, run, axis, &xs, (colors, hidden), loss);
                clicked = clicked.or(got);
            });
        }
    });
    clicked
}

/// The values of initializer `j` at every finished point.
fn series(run: &SweepRun, xs: &[f64], j: usize, loss: bool) -> Series {
    run.result
        .points
        .iter()
        .enumerate()
        .filter(|(p, _)| run.point_done(*p) || !run.is_live())
        .filter_map(|(p, point)| {
            let x = *xs.get(*point.coords.first()?)?;
            let c = run.analysis.cells.get(p)?.get(j)?;
            if loss {
                let (m, lo, hi) = c.val_loss?;
                (m > 0.0 && lo > 0.0).then(|| (x, m.log10(), lo.log10(), hi.log10()))
            } else {
                let f = c.trained_fraction();
                Some((x, f, f, f))
            }
        })
        .collect()
}

fn chart(
    ui: &mut egui::Ui,
    run: &SweepRun,
    axis: &Axis,
    xs: &[f64],
    (colors, hidden): (&Colors, &[String]),
    loss: bool,
) -> Option<usize> {
    let names = &run.analysis.inits;
    let n = names.len().max(1) as f64;
    let repeats = run.result.spec.repeats;
    let response = base_plot(axis, xs, loss).show(ui, |pui| {
        for (j, name) in names.iter().enumerate() {
            if hidden.contains(name) {
                continue;
            }
            let color = colors.of(name);
            // Lines that coincide at 0 or 1 trained are kept apart by a small offset.
            let dy = if loss {
                0.0
            } else {
                (j as f64 - (n - 1.0) / 2.0) * 0.012
            };
            let s = series(run, xs, j, loss);
            if loss && repeats > 1 && s.len() > 1 {
                let x: Vec<f64> = s.iter().map(|p| p.0).collect();
                let lo: Vec<f64> = s.iter().map(|p| p.2).collect();
                let hi: Vec<f64> = s.iter().map(|p| p.3).collect();
                let [r, g, b, _] = color.to_array();
                pui.add(
                    FilledArea::new(name.clone(), &x, &lo, &hi)
                        .fill_color(Color32::from_rgba_unmultiplied(r, g, b, 40)),
                );
            }
            let pts: Vec<[f64; 2]> = s.iter().map(|p| [p.0, p.1 + dy]).collect();
            pui.line(Line::new(name.clone(), pts.clone()).color(color).width(2.0));
            pui.points(Points::new(name.clone(), pts).color(color).radius(3.5));
        }
    });
    let r = &response.response;
    let pos = r.interact_pointer_pos().filter(|_| r.clicked())?;
    let x = response.transform.value_from_position(pos).x;
    nearest(xs, x)
}

/// The point (index along the axis) nearest to `x`.
fn nearest(xs: &[f64], x: f64) -> Option<usize> {
    (0..xs.len()).min_by(|&a, &b| (xs[a] - x).abs().total_cmp(&(xs[b] - x).abs()))
}

/// The axis values as ticks at their positions, hover text in the axis's and data's units.
fn base_plot<'a>(axis: &Axis, xs: &[f64], loss: bool) -> Plot<'a> {
    let ticks: Vec<(f64, String)> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (*x, axis.label(i)))
        .collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    let pad = ((hi - lo) * 0.05).max(0.25);
    let label_of = {
        let ticks = ticks.clone();
        move |v: f64| {
            ticks
                .iter()
                .find(|(x, _)| (x - v).abs() < 1e-6)
                .map_or(String::new(), |(_, l)| l.clone())
        }
    };
    let hover_label = label_of.clone();
    let name = axis.name();
    let marks = xs.to_vec();
    let plot = Plot::new(("sweep-frontier", loss))
        .height(280.0)
        .x_axis_label(axis_title(axis))
        .default_x_bounds(lo - pad, hi + pad)
        .x_grid_spacer(move |_| {
            marks
                .iter()
                .map(|&value| GridMark {
                    value,
                    step_size: 1e6,
                })
                .collect()
        })
        .x_axis_formatter(move |mark, _| label_of(mark.value))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .label_formatter(move |p| match p {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => {
                let y = if loss {
                    format!("loss {}", crate::report::num(10f64.powf(position.y)))
                } else {
                    format!("trained {:.0}%", 100.0 * position.y.clamp(0.0, 1.0))
                };
                let at = hover_label(position.x);
                Some(format!("{plot_name}\n{name} {at}: {y}\n(click to open)"))
            }
            HoverPosition::Elsewhere { .. } => None,
        });
    if loss {
        plot.y_grid_spacer(loss_grid)
            .y_axis_formatter(|mark, _| tick_label(10f64.powf(mark.value)))
            .y_axis_label("log scale")
    } else {
        plot.default_y_bounds(-0.05, 1.05)
            .y_axis_formatter(|mark, _| format!("{:.0}%", 100.0 * mark.value))
    }
}

/// Decades, and 2 and 5 within each when fewer than three decades show, all labelled: a
/// frontier's losses often span less than a decade, where decades alone leave one label.
fn loss_grid(input: egui_plot::GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 60.0 {
        return Vec::new();
    }
    let within: &[f64] = if hi - lo < 3.0 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    ((lo.floor() as i32)..=(hi.ceil() as i32))
        .flat_map(|d| within.iter().map(move |m| f64::from(d) + m.log10()))
        .filter(|v| *v >= lo && *v <= hi)
        .map(|value| GridMark {
            value,
            step_size: 1.0,
        })
        .collect()
}
