//! The report's charts, drawn with plotters into SVG strings. Only initlab's own strings
//! (initializer names, axis titles) appear in them, never text from the user's file.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::analysis::{Analysis, Curve, Metric, RankRow, When, curve, layer_profile};
use super::format::capitalize;
use super::ticks::{linear_axis, log_axis, log_label, whole_axis};
use crate::palette;
use crate::study::StudyResult;

/// A named chart: the file stem for Markdown and the SVG text.
#[derive(Debug)]
pub struct Chart {
    pub stem: &'static str,
    pub title: String,
    pub svg: String,
}

pub(super) const SIZE: (u32, u32) = (760, 420);

pub(super) type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;

/// A chart with numeric axes, linear or logarithmic.
type Chart2d<'a, 'b, X, Y> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>;

pub(super) fn rgb(i: usize) -> RGBColor {
    let (r, g, b) = palette::color(i);
    RGBColor(r, g, b)
}

pub(super) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draws on a white canvas of `size` and returns the SVG text.
pub(super) fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result<(), String>,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The four charts of a report, in order.
pub fn charts(r: &StudyResult, a: &Analysis) -> Result<Vec<Chart>, String> {
    let score = format!("validation {}", a.task.score_name());
    Ok(vec![
        Chart {
            stem: "train_loss",
            title: "Training loss (mean over repeats, band: min–max)".into(),
            svg: curves(r, Metric::TrainLoss, "training loss", true)?,
        },
        Chart {
            stem: "val_loss",
            title: "Validation loss (mean over repeats, band: min–max)".into(),
            svg: curves(r, Metric::ValLoss, "validation loss", true)?,
        },
        Chart {
            stem: "val_score",
            title: format!("{} (mean over repeats, band: min–max)", capitalize(&score)),
            svg: curves(r, Metric::ValScore, &score, false)?,
        },
        Chart {
            stem: "final_val_loss",
            title: "Final validation loss per initializer (mean ± std over repeats)".into(),
            svg: finals(a)?,
        },
    ])
}

fn builder<'a, 'b>(root: &'a Area<'b>) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.margin(12).x_label_area_size(38).y_label_area_size(64);
    b
}

/// The smallest and largest of `values`, or `None` when there is none.
fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    lo.is_finite().then_some((lo, hi))
}

/// Curves per initializer: mean line and min-max band, log y for losses.
fn curves(r: &StudyResult, metric: Metric, y_desc: &str, log: bool) -> Result<String, String> {
    let inits: Vec<String> = r.spec.initializer_names();
    let all: Vec<Curve> = inits.iter().map(|i| curve(&r.runs, i, metric)).collect();
    let max_epoch = all
        .iter()
        .filter_map(|c| c.epochs.last())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let values = all
        .iter()
        .flat_map(|c| c.min.iter().chain(&c.max))
        .copied()
        .filter(|v| v.is_finite() && (!log || *v > 0.0));
    let range = extent(values).unwrap_or((0.1, 1.0));
    let series = Series {
        inits: &inits,
        curves: &all,
        log,
    };
    svg(SIZE, |root| {
        if log {
            log_curves(root, &series, max_epoch, range, y_desc)
        } else {
            linear_curves(root, &series, max_epoch, range, y_desc)
        }
    })
}

/// The curves of one chart, one per initializer.
struct Series<'s> {
    inits: &'s [String],
    curves: &'s [Curve],
    /// Points at or below zero cannot be drawn on a log axis and are left out.
    log: bool,
}

fn log_curves(
    root: &Area<'_>,
    series: &Series<'_>,
    max_epoch: f64,
    (lo, hi): (f64, f64),
    y_desc: &str,
) -> Result<(), String> {
    let (lo, hi) = (lo * 0.9, hi * 1.1);
    let mut chart = builder(root)
        .build_cartesian_2d(whole_axis(0.0, max_epoch, EPOCH_TICKS), log_axis(lo, hi))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc(format!("{y_desc} (log scale)"))
        .y_label_formatter(&|v| log_label(*v))
        .light_line_style(BLACK.mix(0.04))
        .draw()
        .map_err(err)?;
    draw_series(&mut chart, series)?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// plotters' default for a numeric axis, which the epoch axis had before it got whole ticks.
const EPOCH_TICKS: usize = 10;

/// About as many labels as the log axes get: enough to read a score off, few enough to stay apart.
const SCORE_TICKS: usize = 8;

fn linear_curves(
    root: &Area<'_>,
    series: &Series<'_>,
    max_epoch: f64,
    (lo, hi): (f64, f64),
    y_desc: &str,
) -> Result<(), String> {
    let pad = ((hi - lo) * 0.05).max(1e-3);
    let (lo, hi) = (lo - pad, hi + pad);
    let (y, labels) = linear_axis(lo, hi, SCORE_TICKS);
    let mut chart = builder(root)
        .build_cartesian_2d(whole_axis(0.0, max_epoch, EPOCH_TICKS), y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc(y_desc)
        .y_label_formatter(&|v| labels.label(*v))
        .light_line_style(BLACK.mix(0.04))
        .draw()
        .map_err(err)?;
    draw_series(&mut chart, series)?;
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Per initializer, its min-max band and its labelled mean line.
fn draw_series<X, Y>(chart: &mut Chart2d<'_, '_, X, Y>, series: &Series<'_>) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let log = series.log;
    let points = |values: &[f64], epochs: &[usize]| -> Vec<(f64, f64)> {
        epochs
            .iter()
            .zip(values)
            .filter(|(_, v)| v.is_finite() && (!log || **v > 0.0))
            .map(|(e, v)| (*e as f64, *v))
            .collect()
    };
    for (i, (name, c)) in series.inits.iter().zip(series.curves).enumerate() {
        let color = rgb(i);
        let mut band = points(&c.max, &c.epochs);
        band.extend(points(&c.min, &c.epochs).into_iter().rev());
        if band.len() >= 3 {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                points(&c.mean, &c.epochs),
                color.stroke_width(2),
            ))
            .map_err(err)?
            .label(name.as_str())
            .legend(swatch(color));
    }
    Ok(())
}

/// A legend entry's sample: a short thick line in the series' colour.
pub(super) fn swatch(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
}

pub(super) fn legend<'a, 'b: 'a, X, Y>(
    chart: &mut Chart2d<'a, 'b, X, Y>,
    position: SeriesLabelPosition,
) -> Result<(), String>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)
}

/// Final validation loss per initializer: a point at the mean with a ±std error bar, log x.
fn finals(a: &Analysis) -> Result<String, String> {
    let rows: Vec<&RankRow> = a
        .rows
        .iter()
        .filter(|r| r.summary.final_val_loss_mean.is_some())
        .collect();
    let height = (90 + 34 * rows.len().max(1) as u32).max(200);
    svg((SIZE.0, height), |root| draw_finals(root, &rows))
}

/// The log-x range that holds every row's error bar and every repeat's point.
fn finals_range(rows: &[&RankRow]) -> (f64, f64) {
    let ends = rows.iter().flat_map(|r| {
        let m = r.summary.final_val_loss_mean.unwrap_or(1.0);
        let s = r.summary.final_val_loss_std.unwrap_or(0.0);
        [r.finals.iter().copied().fold(m - s, f64::min), m + s]
    });
    extent(ends.filter(|v| *v > 0.0)).map_or((0.1, 1.0), |(lo, hi)| (lo * 0.8, hi * 1.25))
}

fn draw_finals(root: &Area<'_>, rows: &[&RankRow]) -> Result<(), String> {
    let n = rows.len().max(1);
    let (lo, hi) = finals_range(rows);
    let names: Vec<String> = rows.iter().map(|r| r.initializer().to_owned()).collect();
    let label_width = names.iter().map(|s| s.len()).max().unwrap_or(8) as u32 * 8 + 16;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(38)
        .y_label_area_size(label_width.clamp(60, 320))
        .build_cartesian_2d(log_axis(lo, hi), -0.5f64..(n as f64 - 0.5))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("final validation loss (log scale)")
        .x_label_formatter(&|v| log_label(*v))
        .light_line_style(TRANSPARENT)
        .y_labels(n)
        .y_label_formatter(&|y| {
            let k = y.round();
            if (y - k).abs() < 1e-6 && k >= 0.0 {
                names.get(k as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .disable_y_mesh()
        .draw()
        .map_err(err)?;
    for (k, r) in rows.iter().enumerate() {
        draw_final(&mut chart, k as f64, r, lo)?;
    }
    Ok(())
}

/// One initializer's row: the ±std bar (clipped at the axis), each repeat, then the mean.
fn draw_final<X>(
    chart: &mut Chart2d<'_, '_, X, RangedCoordf64>,
    y: f64,
    r: &RankRow,
    lo: f64,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
{
    let color = rgb(r.index);
    let m = r.summary.final_val_loss_mean.unwrap_or(f64::NAN);
    let s = r.summary.final_val_loss_std.unwrap_or(0.0);
    let left = (m - s).max(lo * 1.0001);
    chart
        .draw_series(std::iter::once(ErrorBar::new_horizontal(
            y,
            left,
            m,
            m + s,
            color.stroke_width(2),
            10,
        )))
        .map_err(err)?;
    chart
        .draw_series(
            r.finals
                .iter()
                .map(|&v| Circle::new((v, y), 3, color.mix(0.6).filled())),
        )
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(Circle::new((m, y), 5, color.filled())))
        .map_err(err)?;
    Ok(())
}

/// Activation std per hidden layer at initialization, one line per initializer (log y): the
/// vanishing or exploding signal of Glorot & Bengio (2010) and He et al. (2015).
pub fn layer_chart(r: &StudyResult) -> Result<Option<Chart>, String> {
    let inits: Vec<String> = r.spec.initializer_names();
    let profiles: Vec<Vec<Option<f64>>> = inits
        .iter()
        .map(|i| layer_profile(r, i, When::Initialization, |l| Some(l.act_std)))
        .collect();
    let values = profiles
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0 && v.is_finite());
    let Some(range) = extent(values) else {
        return Ok(None);
    };
    let layers = r.spec.model.hidden.len();
    let svg = svg(SIZE, |root| {
        draw_layer_chart(root, &inits, &profiles, layers, range)
    })?;
    Ok(Some(Chart {
        stem: "layer_activation_std",
        title: "Activation std per hidden layer at initialization (mean over repeats)".into(),
        svg,
    }))
}

fn draw_layer_chart(
    root: &Area<'_>,
    inits: &[String],
    profiles: &[Vec<Option<f64>>],
    layers: usize,
    (lo, hi): (f64, f64),
) -> Result<(), String> {
    let (lo, hi) = (lo * 0.7, hi * 1.4);
    let mut chart = builder(root)
        .build_cartesian_2d(
            whole_axis(0.8, layers as f64 + 0.2, layers.min(12)),
            log_axis(lo, hi),
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("hidden layer")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("activation std at initialization (log scale)")
        .y_label_formatter(&|v| log_label(*v))
        .light_line_style(BLACK.mix(0.04))
        .draw()
        .map_err(err)?;
    for (i, (name, p)) in inits.iter().zip(profiles).enumerate() {
        let pts: Vec<(f64, f64)> = p
            .iter()
            .enumerate()
            .filter_map(|(l, v)| v.filter(|v| *v > 0.0).map(|v| ((l + 1) as f64, v)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let color = rgb(i);
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, y)| Circle::new((x, y), 3, color.filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(swatch(color));
    }
    legend(&mut chart, SeriesLabelPosition::LowerLeft)
}
