//! Comparing initializers across finished studies (datasets): rank them per study by mean
//! final validation loss, test the ranks with Friedman's test, and draw the Nemenyi
//! critical-difference diagram (Demšar, JMLR 2006).

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::charts::{Chart, err, svg};
use super::document::{Block, plain, user};
use super::format::{num, p_text};
use super::{ReportError, refuse_existing, render, write_folder};
use crate::stats::{Friedman, cd_groups, friedman, nemenyi_cd};
use crate::study::StudyResult;

/// The significance level of the critical difference.
const ALPHA: f64 = 0.05;

/// Initializers compared over studies.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The studies' names (their folders) and datasets.
    pub studies: Vec<(String, String)>,
    pub initializers: Vec<String>,
    /// `[study][initializer]` mean final validation loss.
    pub losses: Vec<Vec<f64>>,
    pub friedman: Option<Friedman>,
    /// Nemenyi's critical difference of average ranks at 5% (`None` beyond its table).
    pub cd: Option<f64>,
}

/// Builds the comparison; the studies must share their initializer list (in any order), else
/// the error names the first study that differs and how.
pub fn compare(studies: &[(String, StudyResult)]) -> Result<Comparison, String> {
    let (first_name, first) = studies
        .first()
        .ok_or_else(|| "give at least two finished studies".to_owned())?;
    let mut initializers = first.spec.initializer_names();
    initializers.sort();
    for (name, r) in &studies[1..] {
        let mut mine = r.spec.initializer_names();
        mine.sort();
        if mine != initializers {
            let missing: Vec<&String> = initializers.iter().filter(|i| !mine.contains(i)).collect();
            let extra: Vec<&String> = mine.iter().filter(|i| !initializers.contains(i)).collect();
            return Err(format!(
                "{name}: its initializers differ from {first_name}'s (missing: {missing:?}, \
                 extra: {extra:?})"
            ));
        }
    }
    let losses = studies
        .iter()
        .map(|(name, r)| {
            initializers
                .iter()
                .map(|init| {
                    r.summary
                        .iter()
                        .find(|s| &s.initializer == init)
                        .and_then(|s| s.final_val_loss_mean)
                        .ok_or_else(|| format!("{name}: {init} has no finished repeat to rank"))
                })
                .collect::<Result<Vec<f64>, String>>()
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Comparison {
        studies: studies
            .iter()
            .map(|(n, r)| (n.clone(), r.data.file.clone()))
            .collect(),
        friedman: friedman(&losses),
        cd: nemenyi_cd(initializers.len(), studies.len(), ALPHA),
        initializers,
        losses,
    })
}

/// Writes `dir/compare.html`, `compare.md` and `cd_diagram.svg` (a new folder, as reports are).
pub fn write_comparison(
    c: &Comparison,
    dir: &Path,
    overwrite: bool,
) -> Result<PathBuf, ReportError> {
    refuse_existing(dir, overwrite)?;
    let chart = cd_chart(c)?;
    let blocks = blocks(c, &chart);
    let files = vec![
        (
            "compare.html".to_owned(),
            render::html(&blocks).into_bytes(),
        ),
        (
            "compare.md".to_owned(),
            render::markdown(&blocks).into_bytes(),
        ),
        ("cd_diagram.svg".to_owned(), chart.svg.clone().into_bytes()),
    ];
    write_folder(dir, &files)
}

/// The critical-difference diagram of `c`.
pub(super) fn cd_chart(c: &Comparison) -> Result<Chart, ReportError> {
    Ok(Chart {
        stem: "cd_diagram",
        title: format!(
            "Critical-difference diagram: average rank per initializer (1 = best); \
             initializers joined by a bar are not significantly different (Nemenyi, α = {ALPHA})"
        ),
        svg: svg((760, 300), |root| cd_diagram(root, c)).map_err(ReportError::Chart)?,
    })
}

/// Friedman's test and the critical difference in one sentence.
pub(super) fn verdict(c: &Comparison, over: &str) -> String {
    match (&c.friedman, c.cd) {
        (Some(f), Some(cd)) => format!(
            "Friedman's test over {} {over} and {} initializers: χ² = {}, df = {}, {}. \
             Nemenyi's critical difference at α = {ALPHA}: {} (average ranks further apart \
             than this differ significantly).",
            f.n,
            f.k,
            num(f.chi2),
            f.df,
            p_text(f.p),
            num(cd)
        ),
        (Some(f), None) => format!(
            "Friedman's test: χ² = {}, {}; no critical difference for {} initializers \
             (Demšar's table stops at 10).",
            num(f.chi2),
            p_text(f.p),
            f.k
        ),
        _ => format!("Too few {over} for Friedman's test."),
    }
}

fn blocks<'a>(c: &Comparison, chart: &'a Chart) -> Vec<Block<'a>> {
    let ranks = c.friedman.as_ref().map(|f| f.avg_ranks.clone());
    let verdict = verdict(c, "studies");
    let mut header = vec!["initializer".to_owned(), "average rank".to_owned()];
    header.extend(c.studies.iter().map(|(n, d)| format!("{n} ({d})")));
    let rows = c
        .initializers
        .iter()
        .enumerate()
        .map(|(j, init)| {
            let mut row = vec![vec![user(init.clone())]];
            let rank = ranks
                .as_ref()
                .and_then(|r| r.get(j))
                .map_or("—".into(), |r| num(*r));
            row.push(vec![plain(rank)]);
            row.extend(c.losses.iter().map(|l| vec![plain(num(l[j]))]));
            row
        })
        .collect();
    vec![
        Block::Title(vec![plain("initlab comparison across studies")]),
        Block::Headline(vec![plain(verdict)]),
        Block::Chart(chart),
        Block::Table {
            header,
            rows,
            note: Some(
                "Mean final validation loss per study; ranks are taken within each study \
                 (ties share their mid-rank) and averaged."
                    .into(),
            ),
        },
    ]
}

/// Ranks on a horizontal axis, each initializer marked, the CD as a bar at the top, and a bar
/// under each group whose ranks lie within the CD of each other.
fn cd_diagram(root: &super::charts::Area<'_>, c: &Comparison) -> Result<(), String> {
    let k = c.initializers.len().max(2) as f64;
    let Some(f) = &c.friedman else {
        return Ok(());
    };
    let mut chart = ChartBuilder::on(root)
        .margin(20)
        .x_label_area_size(30)
        .build_cartesian_2d(1.0..k, 0.0..(c.initializers.len() as f64 + 3.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc("average rank (1 = best)")
        .draw()
        .map_err(err)?;
    let mut order: Vec<usize> = (0..c.initializers.len()).collect();
    order.sort_by(|&a, &b| f.avg_ranks[a].total_cmp(&f.avg_ranks[b]));
    for (row, &j) in order.iter().enumerate() {
        let (x, y) = (f.avg_ranks[j], row as f64 + 1.0);
        chart
            .draw_series(std::iter::once(Circle::new((x, 0.3), 4, BLACK.filled())))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new([(x, 0.3), (x, y)], BLACK.mix(0.5)))
            .map_err(err)?;
        let label = format!("{} ({})", c.initializers[j], num(x));
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x, y),
                ("sans-serif", 14),
            )))
            .map_err(err)?;
    }
    if let Some(cd) = c.cd {
        let top = c.initializers.len() as f64 + 2.2;
        chart
            .draw_series(LineSeries::new(
                [(1.0, top), (1.0 + cd, top)],
                RED.stroke_width(3),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("CD = {}", num(cd)),
                (1.0 + cd + 0.05, top),
                ("sans-serif", 14),
            )))
            .map_err(err)?;
        draw_groups(&mut chart, f, &order, cd)?;
    }
    Ok(())
}

type CdChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A thick bar under every maximal run of initializers (in rank order) within the CD.
fn draw_groups(
    chart: &mut CdChart<'_, '_>,
    f: &Friedman,
    order: &[usize],
    cd: f64,
) -> Result<(), String> {
    let ranks: Vec<f64> = order.iter().map(|&i| f.avg_ranks[i]).collect();
    for (k, (start, end)) in cd_groups(&ranks, cd).into_iter().enumerate() {
        let level = 0.12 * (k + 1) as f64;
        chart
            .draw_series(LineSeries::new(
                [(ranks[start], -0.1 + level), (ranks[end], -0.1 + level)],
                BLACK.stroke_width(4),
            ))
            .map_err(err)?;
    }
    Ok(())
}
