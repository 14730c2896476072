//! The report's content as a format-neutral list of blocks, rendered to HTML and Markdown by
//! the same walk, so the two always say the same thing in the same order.

use super::analysis::{Analysis, Comparison, RankRow, TARGET_FACTOR};
use super::charts::Chart;
use super::format::{count, num, p_text, pm};
use super::layers::layers_section;
use super::setup::study_section;
use super::spread::spread_section;
use crate::study::{RepeatMode, StudyResult};

/// Text pieces: `Plain` is initlab's own wording, `User` came from the user's file and is
/// escaped by every renderer.
#[derive(Debug, Clone)]
pub enum Span {
    Plain(String),
    User(String),
    Code(String),
}

pub type Line = Vec<Span>;

#[derive(Debug)]
pub enum Block<'a> {
    Title(Line),
    Heading(String),
    Headline(Line),
    Paragraph(Line),
    Bullets(Vec<Line>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Line>>,
        note: Option<String>,
    },
    Chart(&'a Chart),
    Pairs(Vec<(String, Line)>),
}

pub(super) fn plain(s: impl Into<String>) -> Span {
    Span::Plain(s.into())
}

pub(super) fn user(s: impl Into<String>) -> Span {
    Span::User(s.into())
}

/// The whole report, in order: headline, charts, ranking, findings, inside the networks, the
/// study, environment.
pub fn build<'a>(
    r: &StudyResult,
    a: &Analysis,
    (charts, layer_charts): (&'a [Chart], &'a [Chart]),
    theory: Vec<Block<'a>>,
) -> Vec<Block<'a>> {
    let mut doc = title_and_headline(r, a);
    doc.extend(curves_section(charts));
    doc.extend(ranking_section(r, a));
    doc.extend(spread_section(&a.spread, r.spec.repeats));
    doc.extend(findings_section(a));
    doc.extend(layers_section(r, layer_charts));
    doc.extend(theory);
    doc.extend(study_section(r));
    doc.extend(environment_section(r));
    doc
}

/// The title and the headline; a gallery experiment's claim and verdict come first.
fn title_and_headline<'a>(r: &StudyResult, a: &Analysis) -> Vec<Block<'a>> {
    let headline = Block::Headline(vec![plain(a.headline.clone())]);
    match &r.verdict {
        Some(v) => {
            let mut doc = vec![super::gallery::title(v)];
            doc.extend(super::gallery::blocks(v));
            doc.push(headline);
            doc
        }
        None => vec![
            Block::Title(vec![plain("initlab study: "), user(r.data.file.clone())]),
            headline,
        ],
    }
}

fn curves_section(charts: &[Chart]) -> Vec<Block<'_>> {
    let mut doc = vec![Block::Heading("Curves".into())];
    doc.extend(charts.iter().map(Block::Chart));
    doc
}

/// The ranking table: one row per initializer with its statistics, and a note on how they
/// were computed.
fn ranking_section<'a>(r: &StudyResult, a: &Analysis) -> Vec<Block<'a>> {
    let header = [
        "#",
        "initializer",
        "final val loss (mean ± std)",
        "95% CI",
        "best val loss",
        &format!("val {}", a.task.score_name()),
        "epochs to target",
        "diverged",
        "Δ vs best [95% CI]",
        "p vs best",
        "Wilcoxon p",
        "d_z",
    ];
    let rows = a
        .rows
        .iter()
        .enumerate()
        .map(|(k, row)| ranking_row(k + 1, row))
        .collect();
    vec![
        Block::Heading("Ranking".into()),
        Block::Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            note: Some(ranking_note(r.spec.repeats, r.spec.repeat_mode)),
        },
    ]
}

fn ranking_row(rank: usize, row: &RankRow) -> Vec<Line> {
    let s = &row.summary;
    let ci = s
        .final_val_loss_ci95
        .map_or("—".into(), |(l, h)| format!("[{}, {}]", num(l), num(h)));
    let epochs = row
        .epochs_to_target
        .map_or("never".into(), |e| e.to_string());
    [
        rank.to_string(),
        row.initializer().to_owned(),
        pm(s.final_val_loss_mean, s.final_val_loss_std),
        ci,
        pm(s.best_val_loss_mean, s.best_val_loss_std),
        pm(s.score_mean(), s.score_std()),
        epochs,
        format!("{}/{}", s.diverged, s.repeats),
        paired_cells(&row.vs_best)[0].clone(),
        row.vs_best.text(),
        paired_cells(&row.vs_best)[1].clone(),
        paired_cells(&row.vs_best)[2].clone(),
    ]
    .into_iter()
    .map(|cell| vec![plain(cell)])
    .collect()
}

/// The difference to the best with its CI, the Wilcoxon p and the effect size d_z, where the
/// comparison is paired ("—" otherwise).
fn paired_cells(c: &Comparison) -> [String; 3] {
    match c {
        Comparison::Paired(c) => [
            format!(
                "{:+} [{}, {}]",
                num(c.t.mean_diff),
                num(c.t.ci95.0),
                num(c.t.ci95.1)
            ),
            c.wilcoxon.as_ref().map_or("—".into(), |w| p_text(w.p)),
            num(c.t.dz),
        ],
        _ => ["—".into(), "—".into(), "—".into()],
    }
}

fn ranking_note(repeats: usize, mode: RepeatMode) -> String {
    format!(
        "Statistics over {} per initializer (repeats that diverged are excluded and counted); \
         the repeats vary {}. \
         95% CI: Student t on the final validation losses. Epochs to target: first epoch whose mean validation loss is within {:.0}% of the best initializer's final mean. \
         vs best: within a repeat every initializer shares the split, the batches and the random \
         draw, so repeats are paired: Δ is the mean per-repeat difference of final validation \
         loss to the best initializer with its 95% CI, p the paired t-test's p adjusted for every \
         comparison of this study by Holm's method, Wilcoxon p the signed-rank test's (exact for \
         small n; with fewer than 6 pairs it cannot go below 0.05), d_z the mean difference over \
         the differences' standard deviation. Welch's unequal-variance test is used only where \
         fewer than two repeats pair up{}.",
        count(repeats, "repeat"),
        mode.sources(),
        (TARGET_FACTOR - 1.0) * 100.0,
        if repeats < 2 {
            " — with one repeat no test is possible"
        } else {
            ""
        }
    )
}

fn findings_section<'a>(a: &Analysis) -> Vec<Block<'a>> {
    let body = if a.findings.is_empty() {
        Block::Paragraph(vec![plain("No notable effects beyond the ranking above.")])
    } else {
        Block::Bullets(a.findings.iter().map(|f| vec![plain(f.clone())]).collect())
    };
    vec![Block::Heading("Findings".into()), body]
}

/// Where it ran and how to run it again.
fn environment_section<'a>(r: &StudyResult) -> Vec<Block<'a>> {
    let e = &r.environment;
    let wall = format!(
        "{:.2} s{}",
        r.wall_seconds,
        if r.completed { "" } else { " (stopped early)" }
    );
    vec![
        Block::Heading("Environment and reproduction".into()),
        Block::Pairs(vec![
            ("initlab".into(), vec![plain(e.initlab_version.clone())]),
            ("backend".into(), vec![plain(e.backend.clone())]),
            ("CPU".into(), vec![plain(e.cpu.clone())]),
            ("threads".into(), vec![plain(e.threads.to_string())]),
            ("OS".into(), vec![plain(e.os.clone())]),
            ("wall time".into(), vec![plain(wall)]),
            (
                "reproduce".into(),
                vec![Span::Code(
                    "initlab run --study study.json --out reproduced".into(),
                )],
            ),
        ]),
        Block::Paragraph(vec![plain(
            "study.json in this folder holds the whole study (data file, preprocessing, model, training, initializers, repeats, seed); opened in the app or run as above, the same file and seed give the same numbers. \
             results.json holds every number above; curves.csv the per-epoch curves in long format.",
        )]),
    ]
}
