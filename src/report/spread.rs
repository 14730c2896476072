//! Where the spread over repeats comes from. With `splits:S` (S < repeats) every split is
//! trained from several initializations, so a one-way random-effects ANOVA of the final
//! validation loss grouped by split divides the variance between the split and the
//! initialization; with `splits` or `folds:K` both change at every repeat and cannot be told
//! apart, and the report says how to separate them.

use super::analysis::RankRow;
use super::document::{Block, plain};
use super::format::{num, p_text};
use crate::stats::{OneWay, one_way_random};
use crate::study::{RepeatMode, StudyResult};

/// What the repeats of a study let the report say about the sources of their spread.
#[derive(Debug, Clone, PartialEq)]
pub enum Spread {
    /// Only the initialization (and batch order) varies: every repeat shares one split.
    DrawOnly,
    /// The split and the initialization change together at every repeat.
    Confounded,
    /// S splits crossed with the repeats: one decomposition per initializer, in ranking order.
    Crossed { splits: usize, rows: Vec<SpreadRow> },
}

/// One initializer's decomposition of its final validation loss over the non-diverged repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct SpreadRow {
    pub initializer: String,
    /// The ANOVA, or why there is none (a split with fewer than two finished repeats, no spread).
    pub anova: Result<OneWay, String>,
}

/// The decomposition the study's design allows.
pub fn spread(r: &StudyResult, rows: &[RankRow]) -> Spread {
    let mode = r.spec.repeat_mode;
    let splits = mode.datasets(r.spec.repeats);
    if splits <= 1 {
        return Spread::DrawOnly;
    }
    if mode.confounded() || splits >= r.spec.repeats {
        return Spread::Confounded;
    }
    let rows = rows
        .iter()
        .map(|row| SpreadRow {
            initializer: row.initializer().to_owned(),
            anova: decompose(r, mode, splits, row.initializer()),
        })
        .collect();
    Spread::Crossed { splits, rows }
}

/// The final validation losses of `initializer`'s finished repeats grouped by split, and their
/// ANOVA when every split has two or more.
fn decompose(
    r: &StudyResult,
    mode: RepeatMode,
    splits: usize,
    initializer: &str,
) -> Result<OneWay, String> {
    let mut groups = vec![Vec::new(); splits];
    for run in r
        .runs
        .iter()
        .filter(|x| x.initializer == initializer && !x.diverged)
    {
        if let (Some(g), Some(e)) = (
            groups.get_mut(mode.data_index(run.repeat)),
            run.epochs.last(),
        ) {
            g.push(e.val_loss);
        }
    }
    if let Some((s, g)) = groups.iter().enumerate().find(|(_, g)| g.len() < 2) {
        return Err(format!(
            "split {s} has {} finished repeat{}; needs 2",
            g.len(),
            if g.len() == 1 { "" } else { "s" }
        ));
    }
    one_way_random(&groups).ok_or_else(|| "no spread to divide".to_owned())
}

/// A share as a whole percentage.
fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// The report section: the table of components (crossed), or why there is none (confounded).
pub(super) fn spread_section<'a>(spread: &Spread, repeats: usize) -> Vec<Block<'a>> {
    let heading = Block::Heading("Where the spread comes from".into());
    match spread {
        Spread::DrawOnly => Vec::new(),
        Spread::Confounded => vec![heading, Block::Paragraph(vec![plain(confounded(repeats))])],
        Spread::Crossed { splits, rows } => vec![
            heading,
            Block::Table {
                header: [
                    "initializer",
                    "split variance",
                    "seed variance",
                    "split share",
                    "seed share",
                    "split effect (F test)",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: rows.iter().map(table_row).collect(),
                note: Some(crossed_note(*splits, repeats, rows)),
            },
        ],
    }
}

fn table_row(row: &SpreadRow) -> Vec<super::document::Line> {
    let cells = match &row.anova {
        Ok(a) => [
            if a.truncated {
                "0 (negative estimate)".to_owned()
            } else {
                num(a.var_between)
            },
            num(a.var_within),
            a.share_between().map_or("—".into(), percent),
            a.share_within().map_or("—".into(), percent),
            format!("F = {}, {}", num(a.f), p_text(a.p)),
        ],
        Err(why) => [why.clone(), "—".into(), "—".into(), "—".into(), "—".into()],
    };
    std::iter::once(row.initializer.clone())
        .chain(cells)
        .map(|c| vec![plain(c)])
        .collect()
}

/// Why there is no table, and how to get one.
fn confounded(repeats: usize) -> String {
    let s = (repeats / 2).max(2);
    format!(
        "Each repeat draws a new train/validation split (or fold) together with a new \
         initialization, so the two are confounded: the spread over repeats cannot be divided \
         between them. To separate them, cross the two: repeat_mode splits:S with S below the \
         number of repeats (for example --repeat-mode splits:{s} with --repeats {}) trains \
         every split from several initializations, and this section then shows how much of the \
         variance comes from the split and how much from the initialization.",
        2 * s
    )
}

fn crossed_note(splits: usize, repeats: usize, rows: &[SpreadRow]) -> String {
    let mut s = format!(
        "{splits} splits crossed with {repeats} repeats (repeat r uses split r mod {splits}). \
         One-way random-effects ANOVA of the final validation loss of the finished repeats, \
         grouped by split: seed variance is the within-split mean square (the initialization \
         and batch order), split variance (MS_between − MS_within) / n0 with \
         n0 = (N − Σ n_i² / N) / (S − 1) for unequal split sizes; shares are of their sum. The \
         F test's p is that of no split effect."
    );
    if rows
        .iter()
        .any(|r| r.anova.as_ref().is_ok_and(|a| a.truncated))
    {
        s += " A negative split estimate (the splits differ less than the seeds within them, \
              which chance alone does now and then) is set to 0.";
    }
    s
}

/// The finding: how much of the best decomposed initializer's variance the split accounts
/// for, and the range over the others, with the extremes named (an arm that never learns can
/// sit at either end with a spread of rounding size).
pub(super) fn finding(spread: &Spread) -> Option<String> {
    let Spread::Crossed { rows, .. } = spread else {
        return None;
    };
    let shares: Vec<(&str, &OneWay, f64)> = rows
        .iter()
        .filter_map(|r| {
            let a = r.anova.as_ref().ok()?;
            Some((r.initializer.as_str(), a, a.share_between()?))
        })
        .collect();
    let (name, a, share) = shares.first()?;
    let mut s = format!(
        "The train/validation split accounts for {} of {name}'s variance in final validation \
         loss and the initialization for {} (split effect {})",
        percent(*share),
        percent(1.0 - share),
        p_text(a.p)
    );
    let others = &shares[1..];
    let lo = others.iter().min_by(|x, y| x.2.total_cmp(&y.2));
    let hi = others.iter().max_by(|x, y| x.2.total_cmp(&y.2));
    match (lo, hi) {
        (Some(lo), Some(hi)) if others.len() > 1 => {
            s += &format!(
                "; for the other initializers it ranges from {} ({}) to {} ({})",
                percent(lo.2),
                lo.0,
                percent(hi.2),
                hi.0
            );
        }
        (Some(only), _) => s += &format!("; for {} it is {}", only.0, percent(only.2)),
        _ => {}
    }
    Some(s + ".")
}
