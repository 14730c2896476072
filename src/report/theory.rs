//! The report's "Theory at initialization" section: the mean-field phase diagram of the study's
//! activation with every initializer placed on it, and each initializer's coordinates. Pure
//! theory (no data needed), so a report re-rendered from results.json shows it too.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::charts::{Chart, SIZE, err, legend, rgb, svg};
use super::document::{Block, Line, plain, user};
use super::format::num;
use crate::study::StudyResult;
use crate::theory::{PhaseDiagram, StudyTheory, phase_diagram, study_theory};

const B_MAX: f64 = 0.3;

/// The study's theory: inputs from the data summary, outputs from its classes (1 for
/// regression).
pub(super) fn theory_of(r: &StudyResult) -> StudyTheory {
    let n_out = if r.data.classes.is_empty() {
        1
    } else {
        r.data.classes.len()
    };
    study_theory(&r.spec, (r.data.n_inputs, n_out), None)
}

/// The phase diagram with the study's initializers on it.
pub(super) fn theory_chart(r: &StudyResult, t: &StudyTheory) -> Result<Chart, String> {
    let w_max = t
        .inits
        .iter()
        .filter_map(|i| i.point.map(|p| p.sigma_w2))
        .filter(|w| *w <= 10.0)
        .fold(4.0f64, |m, w| m.max(w * 1.2));
    let depth = t.depth.max(1) as f64;
    let d = phase_diagram(t.activation, (w_max, B_MAX), (24, 10), &[depth, 10.0, 50.0]);
    let _ = r;
    Ok(Chart {
        stem: "phase_diagram",
        title: format!(
            "Mean-field phase diagram of {} (σ_b² = 0 for constant biases): the edge of chaos, \
             contours of the predicted trainable depth 6 ξ_c, and each initializer",
            t.activation.name()
        ),
        svg: svg(SIZE, |root| draw(root, t, &d, w_max))?,
    })
}

fn draw(
    root: &super::charts::Area<'_>,
    t: &StudyTheory,
    d: &PhaseDiagram,
    w_max: f64,
) -> Result<(), String> {
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(38)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..w_max, 0.0..B_MAX)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("σ_w² (weight variance × fan-in)")
        .y_desc("σ_b²")
        .light_line_style(BLACK.mix(0.04))
        .draw()
        .map_err(err)?;
    let pts = |v: &[[f64; 2]]| v.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>();
    chart
        .draw_series(LineSeries::new(pts(&d.critical), BLACK.stroke_width(3)))
        .map_err(err)?
        .label("χ₁ = 1 (edge of chaos)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(3)));
    draw_contours(&mut chart, d)?;
    for (i, init) in t.inits.iter().enumerate() {
        let Some(p) = init.point else { continue };
        let color = rgb(i);
        let off = p.sigma_w2 > w_max;
        let label = if off {
            format!("{} (σ_w² = {}, off the chart)", init.name, num(p.sigma_w2))
        } else {
            init.name.clone()
        };
        chart
            .draw_series(std::iter::once(Circle::new(
                (p.sigma_w2.min(w_max), p.sigma_b2),
                6,
                color.filled(),
            )))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// The contours of 6 ξ_c, the study's depth highlighted.
fn draw_contours(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    d: &PhaseDiagram,
) -> Result<(), String> {
    let pts = |v: &[[f64; 2]]| v.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>();
    for (k, (level, ordered, chaotic)) in d.contours.iter().enumerate() {
        let style = if k == 0 {
            RGBColor(230, 140, 0).stroke_width(2)
        } else {
            BLACK.mix(0.35).stroke_width(1)
        };
        for (n, side) in [ordered, chaotic].into_iter().enumerate() {
            let s = chart
                .draw_series(LineSeries::new(pts(side), style))
                .map_err(err)?;
            if n == 0 {
                let label = if k == 0 {
                    format!("6 ξ_c = {} (this study's depth)", num(*level))
                } else {
                    format!("6 ξ_c = {}", num(*level))
                };
                s.label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            }
        }
    }
    Ok(())
}

/// Heading, chart and a table of each initializer's coordinates.
pub(super) fn theory_section<'a>(t: &StudyTheory, chart: &'a Chart) -> Vec<Block<'a>> {
    let header = ["initializer", "σ_w²", "χ₁", "ξ_c", "6 ξ_c", "phase"];
    let rows: Vec<Vec<Line>> = t
        .inits
        .iter()
        .map(|init| {
            let mut row = vec![vec![user(init.name.clone())]];
            match init.point {
                Some(p) => {
                    for v in [p.sigma_w2, p.chi_1, p.xi_c, p.max_depth] {
                        row.push(vec![plain(finite(v))]);
                    }
                    row.push(vec![plain(format!("{:?}", p.phase).to_lowercase())]);
                }
                None => row.extend((0..5).map(|_| vec![plain("—")])),
            }
            row
        })
        .collect();
    let caveats: Vec<String> = t
        .inits
        .iter()
        .flat_map(|i| {
            i.coords
                .caveats
                .iter()
                .map(move |c| format!("{}: {c}", i.name))
        })
        .collect();
    let mut note = "Mean-field theory (Poole et al. 2016; Schoenholz et al. ICLR 2017) for the \
                    first hidden-to-hidden layer. χ₁ < 1: ordered (gradients vanish with depth), \
                    > 1: chaotic (they explode); ξ_c is the depth over which input correlations \
                    are forgotten, and networks deeper than about 6 ξ_c were found not to train."
        .to_owned();
    if !caveats.is_empty() {
        note += &format!(" Caveats: {}.", caveats.join("; "));
    }
    vec![
        Block::Heading("Theory at initialization".into()),
        Block::Chart(chart),
        Block::Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            note: Some(note),
        },
    ]
}

fn finite(v: f64) -> String {
    if v.is_infinite() {
        "∞".into()
    } else {
        num(v)
    }
}
