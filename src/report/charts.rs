//! The report's charts, drawn with plotters into SVG strings. Only initlab's own strings
//! (initializer names, axis titles) appear in them, never text from the user's file.

use plotters::prelude::*;

use super::analysis::{Analysis, Metric, curve};
use crate::palette;
use crate::study::StudyResult;

/// A named chart: the file stem for Markdown and the SVG text.
#[derive(Debug)]
pub struct Chart {
    pub stem: &'static str,
    pub title: String,
    pub svg: String,
}

const SIZE: (u32, u32) = (760, 420);

fn rgb(i: usize) -> RGBColor {
    let (r, g, b) = palette::color(i);
    RGBColor(r, g, b)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The four charts of a report, in order.
pub fn charts(r: &StudyResult, a: &Analysis) -> Result<Vec<Chart>, String> {
    let score = if a.score_name.contains("R²") {
        "validation R²"
    } else {
        "validation accuracy"
    };
    Ok(vec![
        Chart {
            stem: "train_loss",
            title: "Training loss (mean over seeds, band: min–max)".into(),
            svg: curves(r, Metric::TrainLoss, "training loss", true)?,
        },
        Chart {
            stem: "val_loss",
            title: "Validation loss (mean over seeds, band: min–max)".into(),
            svg: curves(r, Metric::ValLoss, "validation loss", true)?,
        },
        Chart {
            stem: "val_score",
            title: format!("{} (mean over seeds, band: min–max)", capitalize(score)),
            svg: curves(r, Metric::ValScore, score, false)?,
        },
        Chart {
            stem: "final_val_loss",
            title: "Final validation loss per initializer (mean ± std over seeds)".into(),
            svg: finals(a)?,
        },
    ])
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

fn builder<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.margin(12).x_label_area_size(38).y_label_area_size(64);
    b
}

/// Curves per initializer: mean line and min-max band, log y for losses.
fn curves(r: &StudyResult, metric: Metric, y_desc: &str, log: bool) -> Result<String, String> {
    let inits: Vec<String> = r.spec.initializer_names();
    let all: Vec<_> = inits.iter().map(|i| curve(&r.runs, i, metric)).collect();
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
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.1, 1.0) };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        if log {
            let (lo, hi) = (lo * 0.9, hi * 1.1);
            let mut chart = builder(&root)
                .build_cartesian_2d(0f64..max_epoch, (lo..hi).log_scale())
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("epoch")
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_desc(format!("{y_desc} (log scale)"))
                .y_label_formatter(&|v| super::analysis::num(*v))
                .light_line_style(BLACK.mix(0.04))
                .draw()
                .map_err(err)?;
            draw_series(&mut chart, &inits, &all, log)?;
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        } else {
            let pad = ((hi - lo) * 0.05).max(1e-3);
            let mut chart = builder(&root)
                .build_cartesian_2d(0f64..max_epoch, (lo - pad)..(hi + pad))
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("epoch")
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_desc(y_desc)
                .light_line_style(BLACK.mix(0.04))
                .draw()
                .map_err(err)?;
            draw_series(&mut chart, &inits, &all, log)?;
            legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

type Chart2d<'a, Y> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;

fn draw_series<'a, Y>(
    chart: &mut Chart2d<'a, Y>,
    inits: &[String],
    all: &[super::analysis::Curve],
    log: bool,
) -> Result<(), String>
where
    Y: Ranged<ValueType = f64>,
{
    let ok = |v: f64| v.is_finite() && (!log || v > 0.0);
    for (i, (name, c)) in inits.iter().zip(all).enumerate() {
        let color = rgb(i);
        let upper = c
            .epochs
            .iter()
            .zip(&c.max)
            .filter(|(_, v)| ok(**v))
            .map(|(e, v)| (*e as f64, *v));
        let lower = c
            .epochs
            .iter()
            .zip(&c.min)
            .filter(|(_, v)| ok(**v))
            .map(|(e, v)| (*e as f64, *v));
        let band: Vec<(f64, f64)> = upper
            .chain(lower.collect::<Vec<_>>().into_iter().rev())
            .collect();
        if band.len() >= 3 {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
        let line: Vec<(f64, f64)> = c
            .epochs
            .iter()
            .zip(&c.mean)
            .filter(|(_, v)| ok(**v))
            .map(|(e, v)| (*e as f64, *v))
            .collect();
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(swatch(color));
    }
    Ok(())
}

/// A legend entry's sample: a short thick line in the series' colour.
fn swatch(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
}

fn legend<'a, Y>(chart: &mut Chart2d<'a, Y>, position: SeriesLabelPosition) -> Result<(), String>
where
    Y: Ranged<ValueType = f64>,
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
    let rows: Vec<_> = a
        .rows
        .iter()
        .filter(|r| r.summary.final_val_loss_mean.is_some())
        .collect();
    let n = rows.len().max(1);
    let lo_hi = rows.iter().flat_map(|r| {
        let m = r.summary.final_val_loss_mean.unwrap_or(1.0);
        let s = r.summary.final_val_loss_std.unwrap_or(0.0);
        [r.finals.iter().copied().fold(m - s, f64::min), m + s]
    });
    let (lo, hi) = lo_hi
        .filter(|v| *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    let (lo, hi) = if lo.is_finite() {
        (lo * 0.8, hi * 1.25)
    } else {
        (0.1, 1.0)
    };
    let names: Vec<String> = rows.iter().map(|r| r.initializer().to_owned()).collect();
    let mut svg = String::new();
    {
        let height = (90 + 34 * n as u32).max(200);
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let label_width = names.iter().map(|s| s.len()).max().unwrap_or(8) as u32 * 8 + 16;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(38)
            .y_label_area_size(label_width.clamp(60, 320))
            .build_cartesian_2d((lo..hi).log_scale(), -0.5f64..(n as f64 - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("final validation loss (log scale)")
            .x_labels(8)
            .x_label_formatter(&|v| super::analysis::num(*v))
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
            let color = rgb(r.index);
            let m = r.summary.final_val_loss_mean.unwrap_or(f64::NAN);
            let s = r.summary.final_val_loss_std.unwrap_or(0.0);
            let y = k as f64;
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
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Activation std per hidden layer at initialization, one line per initializer (log y): the
/// vanishing or exploding signal of Glorot & Bengio (2010) and He et al. (2015).
pub fn layer_chart(r: &StudyResult) -> Result<Option<Chart>, String> {
    use super::analysis::{When, layer_profile};
    let inits: Vec<String> = r.spec.initializer_names();
    let profiles: Vec<Vec<Option<f64>>> = inits
        .iter()
        .map(|i| layer_profile(r, i, When::Initialization, |l| Some(l.act_std)))
        .collect();
    let values: Vec<f64> = profiles
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    if values.is_empty() {
        return Ok(None);
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let layers = r.spec.model.hidden.len() as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = builder(&root)
            .build_cartesian_2d(0.8f64..(layers + 0.2), ((lo * 0.7)..(hi * 1.4)).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("hidden layer")
            .x_labels(r.spec.model.hidden.len().min(12))
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_desc("activation std at initialization (log scale)")
            .y_label_formatter(&|v| super::analysis::num(*v))
            .light_line_style(BLACK.mix(0.04))
            .draw()
            .map_err(err)?;
        for (i, (name, p)) in inits.iter().zip(&profiles).enumerate() {
            let color = rgb(i);
            let pts: Vec<(f64, f64)> = p
                .iter()
                .enumerate()
                .filter_map(|(l, v)| v.filter(|v| *v > 0.0).map(|v| ((l + 1) as f64, v)))
                .collect();
            if pts.is_empty() {
                continue;
            }
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
        legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        root.present().map_err(err)?;
    }
    Ok(Some(Chart {
        stem: "layer_activation_std",
        title: "Activation std per hidden layer at initialization (mean over seeds)".into(),
        svg,
    }))
}

/// Activation histograms of every hidden layer (rows) at initialization and after training
/// (columns), one line per initializer (first seed), in the style of Glorot & Bengio (2010),
/// Figure 6.
pub fn histogram_chart(r: &StudyResult) -> Result<Option<Chart>, String> {
    let inits: Vec<String> = r.spec.initializer_names();
    let first_runs: Vec<Option<&crate::diagnostics::RunDiagnostics>> = inits
        .iter()
        .map(|i| {
            r.runs
                .iter()
                .find(|x| &x.initializer == i)
                .and_then(|x| x.diagnostics.as_ref())
        })
        .collect();
    let layers = r.spec.model.hidden.len().min(6);
    if layers == 0
        || first_runs
            .iter()
            .all(|d| d.is_none_or(|d| d.histograms_init.is_empty()))
    {
        return Ok(None);
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, 40 + 170 * layers as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let panels = root.split_evenly((layers, 2));
        for (k, panel) in panels.iter().enumerate() {
            let (layer, end) = (k / 2, k % 2 == 1);
            let hists: Vec<Option<&crate::diagnostics::Histogram>> = first_runs
                .iter()
                .map(|d| {
                    d.and_then(|d| {
                        if end {
                            d.histograms_final.get(layer)
                        } else {
                            d.histograms_init.get(layer)
                        }
                    })
                })
                .collect();
            let Some(range) = hists.iter().flatten().next().map(|h| (h.lo, h.hi)) else {
                continue;
            };
            let frac = |h: &crate::diagnostics::Histogram| -> Vec<(f64, f64)> {
                let total = h.counts.iter().sum::<u32>().max(1) as f64;
                let w = (h.hi - h.lo) / h.counts.len().max(1) as f64;
                h.counts
                    .iter()
                    .enumerate()
                    .map(|(b, &c)| (h.lo + (b as f64 + 0.5) * w, c as f64 / total))
                    .collect()
            };
            let top = hists
                .iter()
                .flatten()
                .flat_map(|h| frac(h))
                .map(|p| p.1)
                .fold(0.0, f64::max)
                .max(1e-3);
            let (lo, hi) = (
                range.0.min(
                    hists
                        .iter()
                        .flatten()
                        .map(|h| h.lo)
                        .fold(f64::INFINITY, f64::min),
                ),
                range.1.max(
                    hists
                        .iter()
                        .flatten()
                        .map(|h| h.hi)
                        .fold(f64::NEG_INFINITY, f64::max),
                ),
            );
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!(
                        "layer {} {}",
                        layer + 1,
                        if end {
                            "after training"
                        } else {
                            "at initialization"
                        }
                    ),
                    ("sans-serif", 13),
                )
                .margin(6)
                .x_label_area_size(22)
                .y_label_area_size(40)
                .build_cartesian_2d(lo..hi.max(lo + 1e-9), 0.0..top * 1.05)
                .map_err(err)?;
            chart
                .configure_mesh()
                .light_line_style(TRANSPARENT)
                .x_labels(5)
                .y_labels(3)
                .draw()
                .map_err(err)?;
            for (i, h) in hists.iter().enumerate() {
                let Some(h) = h else { continue };
                let color = rgb(i);
                let series = chart
                    .draw_series(LineSeries::new(frac(h), color.stroke_width(2)))
                    .map_err(err)?;
                if k == 0 {
                    series.label(inits[i].as_str()).legend(swatch(color));
                }
            }
            if k == 0 {
                legend(&mut chart, SeriesLabelPosition::UpperRight)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(Some(Chart {
        stem: "layer_histograms",
        title: "Activation histograms per hidden layer (fraction of probe values; first seed of each initializer)".into(),
        svg,
    }))
}
