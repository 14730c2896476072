//! The results table: per initializer, sortable by any column.

use egui::RichText;

use super::Live;
use super::colors::Colors;
use crate::report::pm;
use crate::study::{InitSummary, summarize};

/// Which column sorts the table, and in which direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

impl Default for Sort {
    /// Best final validation loss first.
    fn default() -> Self {
        Self {
            column: 1,
            descending: false,
        }
    }
}

const HEADERS: [&str; 7] = [
    "initializer",
    "final val loss",
    "best val loss",
    "score",
    "epoch of best",
    "diverged",
    "vs best (paired t, Holm)",
];

fn key(s: &InitSummary, column: usize) -> f64 {
    let v = match column {
        1 => s.final_val_loss_mean,
        2 => s.best_val_loss_mean,
        3 => s.score_mean(),
        4 => s.best_epoch_mean,
        5 => Some(s.diverged as f64),
        _ => None,
    };
    v.unwrap_or(f64::INFINITY)
}

/// The table's numbers for one state of the runs (summaries and tests are recomputed only when
/// the runs change, not every frame).
#[derive(Default)]
pub struct TableCache {
    version: u64,
    summaries: Vec<InitSummary>,
    versus: Vec<(String, String)>,
}

impl TableCache {
    fn update(&mut self, live: &Live) {
        if self.version != live.version || self.version == 0 {
            self.summaries = summarize(&live.spec.initializer_names(), &live.runs);
            self.versus = paired_vs_best(live);
            self.version = live.version;
        }
    }
}

/// The results table of `live`, sorted by `sort` (clicking a header changes it).
pub fn ui(
    ui: &mut egui::Ui,
    live: &Live,
    colors: &Colors,
    sort: &mut Sort,
    cache: &mut TableCache,
) {
    cache.update(live);
    let mut rows: Vec<(usize, InitSummary)> = cache.summaries.iter().cloned().enumerate().collect();
    if sort.column == 0 {
        rows.sort_by(|a, b| a.1.initializer.cmp(&b.1.initializer));
    } else {
        rows.sort_by(|a, b| key(&a.1, sort.column).total_cmp(&key(&b.1, sort.column)));
    }
    if sort.descending {
        rows.reverse();
    }
    ui.strong("Results (mean ± std over repeats; click a header to sort)");
    // A narrow window scrolls the table sideways instead of cutting it off.
    egui::ScrollArea::horizontal()
        .id_salt("results-scroll")
        .show(ui, |ui| grid(ui, (live, &cache.versus), colors, sort, rows));
}

fn grid(
    ui: &mut egui::Ui,
    (live, versus): (&Live, &[(String, String)]),
    colors: &Colors,
    sort: &mut Sort,
    rows: Vec<(usize, InitSummary)>,
) {
    let score_title = format!("val {}", live.task.score_name());
    egui::Grid::new("results-grid")
        .striped(true)
        .num_columns(HEADERS.len())
        .show(ui, |ui| {
            for (k, h) in HEADERS.iter().enumerate() {
                let title = if k == 3 { score_title.as_str() } else { h };
                let arrow = if sort.column == k {
                    if sort.descending { " v" } else { " ^" }
                } else {
                    ""
                };
                if ui
                    .button(RichText::new(format!("{title}{arrow}")).strong())
                    .clicked()
                {
                    if sort.column == k {
                        sort.descending = !sort.descending;
                    } else {
                        // A higher score is better: its first click puts the best on top too.
                        *sort = Sort {
                            column: k,
                            descending: k == 3,
                        };
                    }
                }
            }
            ui.end_row();
            for (_, s) in rows {
                ui.horizontal(|ui| {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                    ui.painter()
                        .rect_filled(rect, 2.0, colors.of(&s.initializer));
                    ui.label(&s.initializer);
                });
                ui.label(pm(s.final_val_loss_mean, s.final_val_loss_std));
                ui.label(pm(s.best_val_loss_mean, s.best_val_loss_std));
                ui.label(pm(s.score_mean(), s.score_std()));
                ui.label(s.best_epoch_mean.map_or("—".into(), |e| format!("{e:.1}")));
                ui.label(format!("{}/{}", s.diverged, s.repeats));
                let vs = versus.iter().find(|(n, _)| *n == s.initializer);
                ui.label(vs.map_or("—", |(_, t)| t.as_str()));
                ui.end_row();
            }
        });
}

/// Each initializer's comparison with the best (lowest mean final validation loss) over the
/// repeats both finished, as the report makes it: paired t-test, Holm-adjusted across the
/// study. Shown once every run has reached the same epoch ("…" while they train).
fn paired_vs_best(live: &Live) -> Vec<(String, String)> {
    let names = live.spec.initializer_names();
    let last = |init: &str| -> Vec<Option<(usize, f64)>> {
        let mut v = vec![None; live.spec.repeats];
        for r in live
            .runs
            .iter()
            .filter(|r| r.initializer == init && !r.diverged)
        {
            if let (Some(slot), Some(e)) = (v.get_mut(r.repeat), r.epochs.last()) {
                *slot = Some((e.epoch, e.val_loss));
            }
        }
        v
    };
    let finals: Vec<Vec<Option<(usize, f64)>>> = names.iter().map(|n| last(n)).collect();
    let epochs: Vec<usize> = finals.iter().flatten().flatten().map(|p| p.0).collect();
    if epochs.windows(2).any(|w| w[0] != w[1]) {
        return names.into_iter().map(|n| (n, "…".into())).collect();
    }
    let mean = |f: &[Option<(usize, f64)>]| -> Option<f64> {
        let v: Vec<f64> = f.iter().flatten().map(|p| p.1).collect();
        crate::stats::mean(&v)
    };
    let Some(best) = (0..names.len())
        .filter(|&i| mean(&finals[i]).is_some())
        .min_by(|&a, &b| {
            mean(&finals[a])
                .unwrap_or(f64::NAN)
                .total_cmp(&mean(&finals[b]).unwrap_or(f64::NAN))
        })
    else {
        return Vec::new();
    };
    let tests: Vec<Option<f64>> = (0..names.len())
        .map(|i| {
            let (a, b): (Vec<f64>, Vec<f64>) = finals[i]
                .iter()
                .zip(&finals[best])
                .filter_map(|(x, y)| Some(((*x)?.1, (*y)?.1)))
                .unzip();
            (i != best)
                .then(|| crate::stats::paired_t(&a, &b).map(|t| t.p))
                .flatten()
        })
        .collect();
    let raw: Vec<f64> = tests.iter().flatten().copied().collect();
    let mut adjusted = crate::stats::holm(&raw).into_iter();
    names
        .into_iter()
        .zip(tests)
        .enumerate()
        .map(|(i, (n, t))| {
            let text = match t {
                _ if i == best => "best".into(),
                Some(_) => adjusted.next().map_or("—".into(), crate::report::p_text),
                None => "—".into(),
            };
            (n, text)
        })
        .collect()
}
