//! A sweep's report: the frontier or the heatmaps, the per-point table (also `points.csv`),
//! where each initializer trained, and the initializers ranked across points (Friedman's test
//! and the critical-difference diagram).

pub mod analysis;
pub mod charts;

use std::path::{Path, PathBuf};

use super::charts::Chart;
use super::compare::{cd_chart, compare, verdict};
use super::document::{Block, Line, plain, user};
use super::format::{num, pm};
use super::{ReportError, escape, refuse_existing, render, write_folder};
use crate::study::SweepResult;
use analysis::{SweepAnalysis, analyze_sweep, verdict_text, verdicts};
use charts::{rule_text, sweep_charts};

/// The rendered sweep report.
pub struct RenderedSweep {
    pub html: String,
    pub markdown: String,
    pub svgs: Vec<(String, String)>,
    pub points_csv: String,
}

/// The initializers compared across the sweep's points (each point as one "study").
pub fn cross_point(r: &SweepResult) -> Result<super::CrossComparison, String> {
    let studies: Vec<(String, crate::study::StudyResult)> = r
        .points
        .iter()
        .map(|p| (point_name(r, &p.coords), p.result.clone()))
        .collect();
    compare(&studies)
}

fn point_name(r: &SweepResult, coords: &[usize]) -> String {
    r.spec
        .sweep
        .as_ref()
        .map_or_else(String::new, |s| s.point_label(coords))
}

/// Everything the sweep's folder shows, in memory.
pub fn render_sweep(r: &SweepResult) -> Result<RenderedSweep, ReportError> {
    let a = analyze_sweep(r);
    let mut charts = sweep_charts(r, &a).map_err(ReportError::Chart)?;
    let cross = cross_point(r).ok().filter(|c| c.friedman.is_some());
    if let Some(c) = &cross {
        charts.push(cd_chart(c)?);
    }
    let blocks = blocks(r, &a, &charts, cross.as_ref());
    Ok(RenderedSweep {
        html: render::html(&blocks),
        markdown: render::markdown(&blocks),
        svgs: charts
            .iter()
            .map(|c| (format!("{}.svg", c.stem), c.svg.clone()))
            .collect(),
        points_csv: points_csv(r, &a),
    })
}

/// Writes the sweep's report folder (as [`super::write_report`] does for a study).
pub fn write_sweep_report(
    r: &SweepResult,
    dir: &Path,
    overwrite: bool,
) -> Result<PathBuf, ReportError> {
    refuse_existing(dir, overwrite)?;
    let rendered = render_sweep(r)?;
    let files: Vec<(String, Vec<u8>)> = [
        ("report.html".to_owned(), rendered.html.into_bytes()),
        ("report.md".to_owned(), rendered.markdown.into_bytes()),
        ("results.json".to_owned(), r.to_json().into_bytes()),
        ("study.json".to_owned(), r.spec.to_json().into_bytes()),
        ("points.csv".to_owned(), rendered.points_csv.into_bytes()),
    ]
    .into_iter()
    .chain(rendered.svgs.into_iter().map(|(n, s)| (n, s.into_bytes())))
    .collect();
    write_folder(dir, &files)
}

/// One row per point and initializer.
pub fn points_csv(r: &SweepResult, a: &SweepAnalysis) -> String {
    let axes: Vec<&str> = r
        .spec
        .sweep
        .as_ref()
        .map(|s| s.axes.iter().map(|x| x.name()).collect())
        .unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = axes.iter().map(|s| (*s).to_owned()).collect();
    header.extend(
        [
            "initializer",
            "repeats",
            "trained",
            "diverged",
            "final_val_loss_mean",
            "final_train_loss_mean",
            "final_val_score_mean",
            "steps_to_threshold_mean",
            "reached_threshold",
        ]
        .map(str::to_owned),
    );
    let _ = w.write_record(&header);
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v}"));
    for (p, cells) in r.points.iter().zip(&a.cells) {
        let values: Vec<String> = r.spec.sweep.as_ref().map_or_else(Vec::new, |s| {
            s.axes
                .iter()
                .zip(&p.coords)
                .map(|(x, &i)| escape::csv_cell(&x.label(i)))
                .collect()
        });
        for (init, c) in a.inits.iter().zip(cells) {
            let mut row = values.clone();
            row.extend([
                escape::csv_cell(init),
                c.repeats.to_string(),
                c.trained.to_string(),
                c.diverged.to_string(),
                opt(c.val_loss.map(|v| v.0)),
                opt(c.train_loss),
                opt(c.score),
                opt(c.steps),
                c.reached.to_string(),
            ]);
            let _ = w.write_record(&row);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn blocks<'a>(
    r: &SweepResult,
    a: &SweepAnalysis,
    charts: &'a [Chart],
    cross: Option<&super::CrossComparison>,
) -> Vec<Block<'a>> {
    let sweep = r.spec.sweep.clone().unwrap_or_default();
    let axes: Vec<String> = sweep
        .axes
        .iter()
        .map(|x| {
            let v: Vec<String> = (0..x.len()).map(|i| x.label(i)).collect();
            format!("{} = {}", x.name(), v.join(", "))
        })
        .collect();
    let mut out = match &r.verdict {
        Some(v) => {
            let mut b = vec![super::gallery::title(v)];
            b.extend(super::gallery::blocks(v));
            b
        }
        None => vec![Block::Title(vec![
            plain("initlab sweep: "),
            user(
                r.points
                    .first()
                    .map_or(String::new(), |p| p.result.data.file.clone()),
            ),
        ])],
    };
    out.extend([
        Block::Headline(vec![plain(headline(r, a))]),
        Block::Paragraph(vec![plain(format!(
            "{} points ({}), {} initializers, {} repeats each: {} networks. A run counts as \
             trained when its {}; an initializer counts as trained at a point when at least half \
             of its repeats did.{}",
            r.points.len(),
            axes.join("; "),
            a.inits.len(),
            r.spec.repeats,
            r.spec.network_count(),
            rule_text(r),
            if r.completed {
                ""
            } else {
                " The sweep was stopped before it finished: unfinished points are marked."
            }
        ))]),
    ]);
    out.extend(charts.iter().map(Block::Chart));
    out.push(Block::Heading("Where each initializer trained".into()));
    out.push(Block::Bullets(findings(r, a)));
    if let Some(c) = cross {
        out.push(Block::Heading("Ranking across points".into()));
        out.push(Block::Paragraph(vec![plain(format!(
            "{} Ranks are taken within each point by mean final validation loss.",
            verdict(c, "points")
        ))]));
    }
    out.push(Block::Heading("Every point".into()));
    out.push(point_table(r, a));
    out
}

/// The sweep in one sentence: who trained at the most points.
fn headline(r: &SweepResult, a: &SweepAnalysis) -> String {
    let counts: Vec<usize> = (0..a.inits.len())
        .map(|j| a.cells.iter().filter(|c| c[j].mostly_trained()).count())
        .collect();
    let best = counts.iter().copied().max().unwrap_or(0);
    let leaders: Vec<&str> = a
        .inits
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c == best)
        .map(|(i, _)| i.as_str())
        .collect();
    format!(
        "{} trained at {best} of {} points; {}.",
        leaders.join(" and "),
        r.points.len(),
        a.inits
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c != best)
            .map(|(i, c)| format!("{i} at {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
    .replace("; .", ".")
}

fn findings(r: &SweepResult, a: &SweepAnalysis) -> Vec<Line> {
    let Some(axis) = r.spec.sweep.as_ref().and_then(|s| s.axes.first()) else {
        return Vec::new();
    };
    if r.spec.sweep.as_ref().is_some_and(|s| s.axes.len() > 1) {
        return (0..a.inits.len())
            .map(|j| {
                let n = a.cells.iter().filter(|c| c[j].mostly_trained()).count();
                vec![plain(format!(
                    "{} trained at {n} of {} points (see the heatmap for where).",
                    a.inits[j],
                    r.points.len()
                ))]
            })
            .collect();
    }
    verdicts(r, a)
        .iter()
        .map(|v| vec![plain(verdict_text(axis, v))])
        .collect()
}

fn point_table<'a>(r: &SweepResult, a: &SweepAnalysis) -> Block<'a> {
    let sweep = r.spec.sweep.clone().unwrap_or_default();
    let mut header: Vec<String> = sweep.axes.iter().map(|x| x.name().to_owned()).collect();
    header.extend(
        [
            "initializer",
            "trained",
            "final val loss (mean, min–max)",
            "final val score",
            "steps to threshold",
        ]
        .map(str::to_owned),
    );
    let mut rows = Vec::new();
    for (p, cells) in r.points.iter().zip(&a.cells) {
        for (init, c) in a.inits.iter().zip(cells) {
            let mut row: Vec<Line> = sweep
                .axes
                .iter()
                .zip(&p.coords)
                .map(|(x, &i)| vec![user(x.label(i))])
                .collect();
            let loss = c.val_loss.map_or("all diverged".into(), |(m, lo, hi)| {
                format!("{} ({}–{})", num(m), num(lo), num(hi))
            });
            let mut trained = format!("{}/{}", c.trained, c.repeats);
            if c.diverged > 0 {
                trained += &format!(" ({} diverged)", c.diverged);
            }
            let steps = c.steps.map_or("never".into(), |s| {
                format!("{} ({}/{} reached)", num(s), c.reached, c.repeats)
            });
            row.extend([
                vec![user(init.clone())],
                vec![plain(trained)],
                vec![plain(loss)],
                vec![plain(pm(c.score, None))],
                vec![plain(steps)],
            ]);
            rows.push(row);
        }
    }
    Block::Table {
        header,
        rows,
        note: Some(
            "Steps to threshold: the first epoch end at which the mean training loss of the \
             epoch was at most the threshold, over the repeats that reached it."
                .into(),
        ),
    }
}
