//! Activation histograms of every hidden layer, in the style of Glorot & Bengio (2010),
//! Figure 6: how the distribution of each layer's outputs differs between initializers.

use plotters::prelude::*;

use super::charts::{Area, Chart, SIZE, err, legend, rgb, svg, swatch};
use crate::diagnostics::{Histogram, RunDiagnostics};
use crate::study::StudyResult;

/// More rows of panels would make the chart taller than a page.
const MAX_LAYERS: usize = 6;

/// Hidden layers as rows, at initialization and after training as columns, one line per
/// initializer (its first repeat); `None` when no run recorded histograms.
pub fn histogram_chart(r: &StudyResult) -> Result<Option<Chart>, String> {
    let inits: Vec<String> = r.spec.initializer_names();
    let first_runs = first_diagnostics(r, &inits);
    let layers = r.spec.model.hidden.len().min(MAX_LAYERS);
    if layers == 0
        || first_runs
            .iter()
            .all(|d| d.is_none_or(|d| d.histograms_init.is_empty()))
    {
        return Ok(None);
    }
    let svg = svg((SIZE.0, 40 + 170 * layers as u32), |root| {
        let panels = root.split_evenly((layers, 2));
        for (k, panel) in panels.iter().enumerate() {
            let (layer, end) = (k / 2, k % 2 == 1);
            let hists = panel_histograms(&first_runs, layer, end);
            draw_panel(panel, &hists, layer, end, (k == 0).then_some(&inits[..]))?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        stem: "layer_histograms",
        title: "Activation histograms per hidden layer (fraction of probe values; first repeat of each initializer)".into(),
        svg,
    }))
}

/// The diagnostics of each initializer's first run: one network per line keeps the panels
/// readable, and the first repeat is the one every other report section also starts from.
fn first_diagnostics<'r>(r: &'r StudyResult, inits: &[String]) -> Vec<Option<&'r RunDiagnostics>> {
    inits
        .iter()
        .map(|i| {
            r.runs
                .iter()
                .find(|x| &x.initializer == i)
                .and_then(|x| x.diagnostics.as_ref())
        })
        .collect()
}

/// Per initializer, the histogram of `layer` at initialization or after training.
fn panel_histograms<'r>(
    first_runs: &[Option<&'r RunDiagnostics>],
    layer: usize,
    end: bool,
) -> Vec<Option<&'r Histogram>> {
    first_runs
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
        .collect()
}

/// `(bin centre, fraction of values)` per bin, so histograms of different widths compare.
fn fractions(h: &Histogram) -> Vec<(f64, f64)> {
    let total = h.counts.iter().sum::<u32>().max(1) as f64;
    let w = (h.hi - h.lo) / h.counts.len().max(1) as f64;
    h.counts
        .iter()
        .enumerate()
        .map(|(b, &c)| (h.lo + (b as f64 + 0.5) * w, c as f64 / total))
        .collect()
}

/// One panel; `legend` names the initializers on the first panel only.
fn draw_panel(
    panel: &Area<'_>,
    hists: &[Option<&Histogram>],
    layer: usize,
    end: bool,
    legend_names: Option<&[String]>,
) -> Result<(), String> {
    let present = || hists.iter().flatten();
    if present().next().is_none() {
        return Ok(());
    }
    let top = present()
        .flat_map(|h| fractions(h))
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(1e-3);
    let lo = present().map(|h| h.lo).fold(f64::INFINITY, f64::min);
    let hi = present().map(|h| h.hi).fold(f64::NEG_INFINITY, f64::max);
    let when = if end {
        "after training"
    } else {
        "at initialization"
    };
    let mut chart = ChartBuilder::on(panel)
        .caption(format!("layer {} {when}", layer + 1), ("sans-serif", 13))
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
            .draw_series(LineSeries::new(fractions(h), color.stroke_width(2)))
            .map_err(err)?;
        if let Some(name) = legend_names.and_then(|n| n.get(i)) {
            series.label(name.as_str()).legend(swatch(color));
        }
    }
    if legend_names.is_some() {
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}
