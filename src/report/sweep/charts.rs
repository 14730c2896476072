//! The sweep's charts: the frontier (one axis: final loss and trained share against the swept
//! value, one line per initializer) and heatmaps (two or three axes: one small multiple per
//! initializer, colour = share of repeats that trained, text = mean final validation loss).

use plotters::prelude::*;

use super::analysis::SweepAnalysis;
use crate::report::charts::{Area, Chart, err, legend, rgb, svg, swatch};
use crate::report::format::num;
use crate::report::ticks::{linear_axis, log_axis, log_label, value_axis};
use crate::study::SweepResult;
use crate::study::sweep::{Axis, Scale};

/// Where value `i` of `axis` sits on a chart's x axis: log2 for depth, width and batch, log10
/// for the learning rate, the value for gain and sigma_b, the index for categories.
pub fn position(axis: &Axis, i: usize) -> f64 {
    match (axis.scale(), axis.number(i)) {
        (Scale::Log2, Some(v)) if v > 0.0 => v.log2(),
        (Scale::Log10, Some(v)) if v > 0.0 => v.log10(),
        (Scale::Linear, Some(v)) => v,
        _ => i as f64,
    }
}

/// The x axis title: the axis name and its scale.
pub fn axis_title(axis: &Axis) -> String {
    match axis.scale() {
        Scale::Log2 => format!("{} (log2 scale)", axis.name()),
        Scale::Log10 => format!("{} (log10 scale)", axis.name()),
        _ => axis.name().to_owned(),
    }
}

/// The sweep's charts for its number of axes.
pub fn sweep_charts(r: &SweepResult, a: &SweepAnalysis) -> Result<Vec<Chart>, String> {
    let Some(sweep) = &r.spec.sweep else {
        return Ok(Vec::new());
    };
    match sweep.axes.as_slice() {
        [axis] => Ok(vec![
            Chart {
                stem: "frontier_loss",
                title: format!(
                    "Final validation loss against {} (mean over repeats that did not diverge, \
                     band: min–max)",
                    axis.name()
                ),
                svg: svg((760, 420), |root| frontier(root, axis, a, Frontier::Loss))?,
            },
            Chart {
                stem: "frontier_trained",
                title: format!(
                    "Share of repeats that trained against {} (rule: {})",
                    axis.name(),
                    rule_text(r)
                ),
                svg: svg((760, 360), |root| {
                    frontier(root, axis, a, Frontier::Trained)
                })?,
            },
        ]),
        [x, y, rest @ ..] => {
            let panels = rest.first().map_or(1, Axis::len);
            let rows = a.inits.len().div_ceil(HEATMAP_COLUMNS) * panels;
            let size = (960, 90 + rows as u32 * 230);
            Ok(vec![Chart {
                stem: "heatmap_trained",
                title: format!(
                    "Share of repeats that trained (colour) and mean final validation loss \
                     (text), {} against {}, one panel per initializer{}",
                    y.name(),
                    x.name(),
                    rest.first()
                        .map_or(String::new(), |z| format!(" and {} value", z.name()))
                ),
                svg: svg(size, |root| heatmaps(root, r, a, (x, y, rest.first())))?,
            }])
        }
        [] => Ok(Vec::new()),
    }
}

/// The rule that decides "trained", in words.
pub fn rule_text(r: &SweepResult) -> String {
    let rule = r.spec.sweep.as_ref().map(|s| s.rule).unwrap_or_default();
    let mut s = format!(
        "final training loss is at most {} of the initial one",
        rule.loss_fraction
    );
    if r.points
        .first()
        .is_some_and(|p| p.trainability.iter().any(|t| t.chance.is_some()))
    {
        s += &format!(
            ", and its validation accuracy at least the majority class's share + {}",
            rule.accuracy_margin
        );
    }
    s
}

#[derive(Clone, Copy, PartialEq)]
enum Frontier {
    Loss,
    Trained,
}

/// Panels per row of the heatmaps.
const HEATMAP_COLUMNS: usize = 4;

/// Per initializer, its (x, mean, low, high) points along the axis.
type Points = Vec<Vec<(f64, f64, f64, f64)>>;

fn frontier(root: &Area<'_>, axis: &Axis, a: &SweepAnalysis, what: Frontier) -> Result<(), String> {
    let xs: Vec<f64> = (0..axis.len()).map(|i| position(axis, i)).collect();
    let (x0, x1) = (xs[0].min(xs[xs.len() - 1]), xs[0].max(xs[xs.len() - 1]));
    let pad = ((x1 - x0) * 0.05).max(0.25);
    let x_axis = value_axis(xs.clone(), x0 - pad, x1 + pad);
    let label = |v: &f64| {
        xs.iter()
            .position(|x| (x - v).abs() < 1e-9)
            .map_or(String::new(), |i| axis.label(i))
    };
    let series: Points = (0..a.inits.len())
        .map(|j| {
            a.cells
                .iter()
                .enumerate()
                .filter_map(|(p, c)| match what {
                    Frontier::Loss => c[j].val_loss.map(|(m, lo, hi)| (xs[p], m, lo, hi)),
                    Frontier::Trained => {
                        let f = c[j].trained_fraction();
                        Some((xs[p], f, f, f))
                    }
                })
                .collect()
        })
        .collect();
    let mut b = ChartBuilder::on(root);
    b.margin(12).x_label_area_size(38).y_label_area_size(64);
    let x = (x_axis, axis_title(axis), &label as &dyn Fn(&f64) -> String);
    match what {
        Frontier::Loss => loss_frontier(&mut b, x, a, &series),
        Frontier::Trained => trained_frontier(&mut b, x, a, &series),
    }
}

/// The x axis of a frontier: its coordinates, title and tick labels.
type XAxis<'l> = (
    crate::report::ticks::TickedAxis<plotters::coord::types::RangedCoordf64>,
    String,
    &'l dyn Fn(&f64) -> String,
);

/// Final validation loss on a log axis, with min–max bands.
fn loss_frontier(
    b: &mut ChartBuilder<'_, '_, SVGBackend<'_>>,
    (x_axis, title, label): XAxis<'_>,
    a: &SweepAnalysis,
    series: &Points,
) -> Result<(), String> {
    let all: Vec<f64> = series
        .iter()
        .flatten()
        .flat_map(|&(_, m, lo, hi)| [m, lo, hi])
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if lo.is_finite() {
        (lo * 0.9, hi * 1.1)
    } else {
        (0.1, 1.0)
    };
    let mut chart = b
        .build_cartesian_2d(x_axis, log_axis(lo, hi.max(lo * 1.01)))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(title)
        .x_label_formatter(label)
        .y_desc("final validation loss (log scale)")
        .y_label_formatter(&|v| log_label(*v))
        .light_line_style(BLACK.mix(0.04))
        .draw()
        .map_err(err)?;
    for (j, name) in a.inits.iter().enumerate() {
        draw_line(&mut chart, &series[j], j, name)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// The share of repeats that trained, 0 to 1.
fn trained_frontier(
    b: &mut ChartBuilder<'_, '_, SVGBackend<'_>>,
    (x_axis, title, label): XAxis<'_>,
    a: &SweepAnalysis,
    series: &Points,
) -> Result<(), String> {
    let (y, labels) = linear_axis(-0.05, 1.05, 6);
    let mut chart = b.build_cartesian_2d(x_axis, y).map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(title)
        .x_label_formatter(label)
        .y_desc("share of repeats trained")
        .y_label_formatter(&|v| labels.label(*v))
        .light_line_style(BLACK.mix(0.04))
        .draw()
        .map_err(err)?;
    let n = a.inits.len().max(1) as f64;
    for (j, name) in a.inits.iter().enumerate() {
        // A small vertical offset per initializer keeps lines that coincide at 0 or 1 apart.
        let dy = (j as f64 - (n - 1.0) / 2.0) * 0.012;
        let pts: Vec<_> = series[j]
            .iter()
            .map(|&(x, m, _, _)| (x, m + dy, m + dy, m + dy))
            .collect();
        draw_line(&mut chart, &pts, j, name)?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerLeft)
}

type Chart2d<'a, 'b, X, Y> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>;

/// A band (when it has width), a line and a marker per point.
fn draw_line<X, Y>(
    chart: &mut Chart2d<'_, '_, X, Y>,
    pts: &[(f64, f64, f64, f64)],
    j: usize,
    name: &str,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let color = rgb(j);
    let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
    band.extend(pts.iter().rev().map(|p| (p.0, p.2)));
    if pts.len() >= 2 && pts.iter().any(|p| p.3 > p.2) {
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                color.mix(0.15).filled(),
            )))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(
            pts.iter().map(|p| (p.0, p.1)),
            color.stroke_width(2),
        ))
        .map_err(err)?
        .label(name)
        .legend(swatch(color));
    chart
        .draw_series(
            pts.iter()
                .map(|p| Circle::new((p.0, p.1), 3, color.filled())),
        )
        .map_err(err)?;
    Ok(())
}

/// White (none trained) to green (all trained).
pub fn trained_color(f: f64) -> RGBColor {
    let f = f.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
    RGBColor(mix(250.0, 26.0), mix(244.0, 150.0), mix(240.0, 65.0))
}

fn heatmaps(
    root: &Area<'_>,
    r: &SweepResult,
    a: &SweepAnalysis,
    (x, y, z): (&Axis, &Axis, Option<&Axis>),
) -> Result<(), String> {
    let panels_z = z.map_or(1, Axis::len);
    let rows = a.inits.len().div_ceil(HEATMAP_COLUMNS) * panels_z;
    let (_, body) = root.split_vertically(30);
    let areas = body.split_evenly((rows.max(1), HEATMAP_COLUMNS));
    let mut k = 0;
    for zi in 0..panels_z {
        for (j, init) in a.inits.iter().enumerate() {
            let Some(area) = areas.get(k) else { break };
            k += 1;
            let title = match z {
                Some(z) => format!("{init}, {} {}", z.name(), z.label(zi)),
                None => init.clone(),
            };
            heatmap_panel(area, r, a, (x, y), (j, zi), &title)?;
        }
        // Start each third-axis value on a fresh row.
        k = k.div_ceil(HEATMAP_COLUMNS) * HEATMAP_COLUMNS;
    }
    let legend = match (x, y) {
        (Axis::Gain(_), Axis::Depth(_)) => {
            "green: every repeat trained; white: none; dashed: mean-field trainable depth 6 ξ_c"
        }
        _ => "green: every repeat trained; white: none",
    };
    root.draw(&Text::new(legend.to_owned(), (12, 8), ("sans-serif", 14)))
        .map_err(err)
}

fn heatmap_panel(
    area: &Area<'_>,
    r: &SweepResult,
    a: &SweepAnalysis,
    (x, y): (&Axis, &Axis),
    (j, zi): (usize, usize),
    title: &str,
) -> Result<(), String> {
    let (nx, ny) = (x.len(), y.len());
    let cells = |n: usize| value_axis((0..n).map(|i| i as f64).collect(), -0.5, n as f64 - 0.5);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 13))
        .margin(6)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(cells(nx), cells(ny))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|v| tick(x, *v))
        .y_label_formatter(&|v| tick(y, *v))
        .x_desc(x.name())
        .y_desc(y.name())
        .draw()
        .map_err(err)?;
    for (p, point) in r.points.iter().enumerate() {
        let c = &point.coords;
        if c.get(2).is_some_and(|&v| v != zi) {
            continue;
        }
        let (i, k) = (c[0] as f64, c[1] as f64);
        let cell = &a.cells[p][j];
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(i - 0.5, k - 0.5), (i + 0.5, k + 0.5)],
                trained_color(cell.trained_fraction()).filled(),
            )))
            .map_err(err)?;
        if nx * ny <= 64 {
            let text = cell.val_loss.map_or("–".into(), |v| num(v.0));
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (i - 0.38, k + 0.12),
                    ("sans-serif", 10),
                )))
                .map_err(err)?;
        }
    }
    let curve = six_xi_c_curve(r, j, (x, y));
    if curve.len() >= 2 {
        chart
            .draw_series(DashedLineSeries::new(curve, 6, 4, BLACK.stroke_width(2)))
            .map_err(err)?;
    }
    Ok(())
}

/// The mean-field bound 6 xi_c over a gain (x) x depth (y) heatmap, in cell coordinates:
/// each gain's predicted trainable depth placed between the depth rows by log2 interpolation
/// (clamped to the panel; infinite at the critical point). Empty for other axes.
pub fn six_xi_c_curve(r: &SweepResult, j: usize, (x, y): (&Axis, &Axis)) -> Vec<(f64, f64)> {
    let (Axis::Gain(gains), Axis::Depth(depths)) = (x, y) else {
        return Vec::new();
    };
    let Some(init) = r.spec.initializers.get(j) else {
        return Vec::new();
    };
    let logs: Vec<f64> = depths.iter().map(|&d| (d.max(1) as f64).log2()).collect();
    let top = logs.len() as f64 - 0.5;
    gains
        .iter()
        .enumerate()
        .filter_map(|(i, &g)| {
            let bound = crate::theory::trainable_depth(&r.spec, init, g)?;
            let row = row_of(&logs, bound.max(1.0).log2());
            Some((i as f64, row.clamp(-0.5, top)))
        })
        .collect()
}

/// Where `v` falls among ascending `logs`, as a fractional row index (rows at 0, 1, ...).
fn row_of(logs: &[f64], v: f64) -> f64 {
    if !v.is_finite() {
        return f64::INFINITY;
    }
    for (k, w) in logs.windows(2).enumerate() {
        if v <= w[1] {
            return k as f64 + (v - w[0]) / (w[1] - w[0]).max(1e-12);
        }
    }
    logs.len() as f64 - 1.0 + (v - logs.last().copied().unwrap_or(0.0))
}

/// The label of the cell centred at `v` on a heatmap axis.
fn tick(axis: &Axis, v: f64) -> String {
    let i = v.round();
    if i < 0.0 || i as usize >= axis.len() {
        return String::new();
    }
    axis.label(i as usize)
}
