//! The report's content as a format-neutral list of blocks, rendered to HTML and Markdown by
//! the same walk, so the two always say the same thing in the same order.

use super::analysis::{Analysis, TARGET_FACTOR, num, pm};
use super::charts::Chart;
use crate::data::Task;
use crate::init::describe;
use crate::study::StudyResult;

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

fn plain(s: impl Into<String>) -> Span {
    Span::Plain(s.into())
}

fn user(s: impl Into<String>) -> Span {
    Span::User(s.into())
}

/// The whole report, in order: headline, charts, ranking, findings, study, environment.
pub fn build<'a>(
    r: &StudyResult,
    a: &Analysis,
    charts: &'a [Chart],
    layer_charts: &'a [Chart],
) -> Vec<Block<'a>> {
    let mut doc = vec![
        Block::Title(vec![plain("initlab study: "), user(r.data.file.clone())]),
        Block::Headline(vec![plain(a.headline.clone())]),
    ];
    doc.push(Block::Heading("Curves".into()));
    doc.extend(charts.iter().map(Block::Chart));

    doc.push(Block::Heading("Ranking".into()));
    let score = if r.data.task == Task::Regression {
        "val R²"
    } else {
        "val accuracy"
    };
    let header = vec![
        "#".into(),
        "initializer".into(),
        "final val loss (mean ± std)".into(),
        "95% CI".into(),
        "best val loss".into(),
        score.into(),
        "epochs to target".into(),
        "diverged".into(),
        "vs best (Welch)".into(),
    ];
    let rows = a
        .rows
        .iter()
        .enumerate()
        .map(|(k, row)| {
            vec![
                vec![plain((k + 1).to_string())],
                vec![plain(row.initializer().to_owned())],
                vec![plain(pm(
                    row.summary.final_val_loss_mean,
                    row.summary.final_val_loss_std,
                ))],
                vec![plain(
                    row.summary
                        .final_val_loss_ci95
                        .map_or("—".into(), |(l, h)| format!("[{}, {}]", num(l), num(h))),
                )],
                vec![plain(pm(
                    row.summary.best_val_loss_mean,
                    row.summary.best_val_loss_std,
                ))],
                vec![plain(pm(row.summary.score_mean(), row.summary.score_std()))],
                vec![plain(
                    row.epochs_to_target
                        .map_or("never".into(), |e| e.to_string()),
                )],
                vec![plain(format!(
                    "{}/{}",
                    row.summary.diverged, row.summary.repeats
                ))],
                vec![plain(row.vs_best.text())],
            ]
        })
        .collect();
    let seeds = r.spec.repeats;
    let note = format!(
        "Statistics over {seeds} seed{} per initializer (seeds that diverged are excluded and counted). \
         95% CI: Student t on the final validation losses. Epochs to target: first epoch whose mean validation loss is within {:.0}% of the best initializer's final mean. \
         vs best: Welch's unequal-variance t-test of final validation losses against the best initializer{}.",
        if seeds == 1 { "" } else { "s" },
        (TARGET_FACTOR - 1.0) * 100.0,
        if seeds < 2 {
            " — with one seed no test is possible"
        } else {
            ""
        }
    );
    doc.push(Block::Table {
        header,
        rows,
        note: Some(note),
    });

    doc.push(Block::Heading("Findings".into()));
    if a.findings.is_empty() {
        doc.push(Block::Paragraph(vec![plain(
            "No notable effects beyond the ranking above.",
        )]));
    } else {
        doc.push(Block::Bullets(
            a.findings.iter().map(|f| vec![plain(f.clone())]).collect(),
        ));
    }

    layers_section(&mut doc, r, layer_charts);

    doc.push(Block::Heading("The study".into()));
    let d = &r.data;
    let classes: Line = if d.task == Task::Classification {
        let mut line = Vec::new();
        for (i, c) in d.classes.iter().enumerate() {
            if i > 0 {
                line.push(plain(", "));
            }
            line.push(user(c.name.clone()));
            line.push(plain(format!(" ({})", c.count)));
        }
        line
    } else {
        vec![plain(
            "— (regression; the target is standardised with the training split's mean and std)",
        )]
    };
    let mut features: Line = vec![plain(format!(
        "{} inputs from {} columns: ",
        d.n_inputs,
        d.features.len()
    ))];
    for (i, f) in d.features.iter().enumerate() {
        if i > 0 {
            features.push(plain(", "));
        }
        features.push(user(f.column.clone()));
        if f.kind != "numeric" {
            features.push(plain(format!(" ({}, {} levels one-hot)", f.kind, f.width)));
        }
    }
    let mut excluded: Line = Vec::new();
    for (i, e) in d.excluded.iter().enumerate() {
        if i > 0 {
            excluded.push(plain("; "));
        }
        excluded.push(user(e.column.clone()));
        excluded.push(plain(": "));
        excluded.push(user(e.reason.clone()));
    }
    if excluded.is_empty() {
        excluded.push(plain("none"));
    }
    let dims = r.spec.model.dims(
        d.n_inputs,
        if d.task == Task::Regression {
            1
        } else {
            d.classes.len()
        },
    );
    let params: usize = dims.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    let o = &r.spec.train.optimizer;
    let optimizer = match o.kind {
        crate::train::OptimizerKind::Adam => {
            format!("Adam (betas {}/{}, eps {:e})", o.beta1, o.beta2, o.eps)
        }
        crate::train::OptimizerKind::Momentum => {
            format!(
                "SGD with {}momentum {} (no dampening)",
                if o.nesterov { "Nesterov " } else { "" },
                o.momentum
            )
        }
        crate::train::OptimizerKind::Sgd => "plain SGD".into(),
    };
    doc.push(Block::Pairs(vec![
        ("dataset".into(), vec![user(d.file.clone())]),
        ("SHA-256".into(), vec![Span::Code(if d.sha256.is_empty() { "unknown".into() } else { d.sha256.clone() })]),
        ("target".into(), vec![user(d.target.clone()), plain(format!(" ({})", if d.task == Task::Regression { "regression" } else { "classification" }))]),
        (
            "rows".into(),
            vec![plain(format!(
                "{} of {} used; {} dropped for a missing target, {} for missing features ({}); {} cells imputed",
                d.rows_used,
                d.rows_total,
                d.rows_dropped_missing_target,
                d.rows_dropped_missing_features,
                match d.missing_policy {
                    crate::data::MissingPolicy::DropRow => "policy: drop the row",
                    crate::data::MissingPolicy::ImputeMean => "policy: impute the training mean",
                },
                d.cells_imputed
            ))],
        ),
        (
            "split".into(),
            vec![plain(format!(
                "{} training / {} validation rows (validation fraction {}, {}seed {}); features standardised with the training split's statistics",
                d.n_train,
                d.n_val,
                r.spec.prepare.val_fraction,
                if d.task == Task::Classification { "stratified, " } else { "" },
                r.spec.seed
            ))],
        ),
        ("features".into(), features),
        ("excluded columns".into(), excluded),
        ("classes".into(), classes),
        (
            "model".into(),
            vec![plain(format!(
                "MLP {} with {} after each hidden layer, biases {}; {} parameters per network",
                dims.iter().map(ToString::to_string).collect::<Vec<_>>().join(" → "),
                r.spec.model.activation,
                r.spec.model.bias,
                params
            ))],
        ),
        (
            "training".into(),
            vec![plain(format!(
                "{optimizer}, learning rate {}, batch {}, {} epochs, {} loss; {} seed{} per initializer (study seed {}); every network of a seed sees the same batches in the same order",
                r.spec.train.lr,
                r.spec.train.batch_size,
                r.spec.train.epochs,
                if d.task == Task::Regression { "mean squared error" } else { "softmax cross-entropy" },
                seeds,
                if seeds == 1 { "" } else { "s" },
                r.spec.seed
            ))],
        ),
    ]));
    let act = r.spec.model.activation;
    doc.push(Block::Bullets(
        r.spec
            .initializers
            .iter()
            .map(|i| vec![Span::Code(describe(i, i.gain(act)))])
            .collect(),
    ));

    doc.push(Block::Heading("Environment and reproduction".into()));
    let e = &r.environment;
    doc.push(Block::Pairs(vec![
        ("initlab".into(), vec![plain(e.initlab_version.clone())]),
        ("backend".into(), vec![plain(e.backend.clone())]),
        ("CPU".into(), vec![plain(e.cpu.clone())]),
        ("threads".into(), vec![plain(e.threads.to_string())]),
        ("OS".into(), vec![plain(e.os.clone())]),
        (
            "wall time".into(),
            vec![plain(format!(
                "{:.2} s{}",
                r.wall_seconds,
                if r.completed { "" } else { " (stopped early)" }
            ))],
        ),
        (
            "reproduce".into(),
            vec![Span::Code(
                "initlab run --study study.json --out reproduced".into(),
            )],
        ),
    ]));
    doc.push(Block::Paragraph(vec![plain(
        "study.json in this folder holds the whole study (data file, preprocessing, model, training, initializers, seeds); the same file and seed give the same numbers. \
         results.json holds every number above; curves.csv the per-epoch curves in long format.",
    )]));
    doc
}

/// "Inside the networks": the diagnostics chart, per-layer tables and findings.
fn layers_section<'a>(doc: &mut Vec<Block<'a>>, r: &StudyResult, charts: &'a [Chart]) {
    use super::analysis::{When, layer_findings, layer_profile};
    let has = r
        .runs
        .iter()
        .any(|x| x.diagnostics.as_ref().is_some_and(|d| !d.epochs.is_empty()));
    if !has {
        return;
    }
    doc.push(Block::Heading("Inside the networks".into()));
    doc.push(Block::Paragraph(vec![plain(format!(
        "Measured for every network on one fixed batch of {} training rows, at initialization and after every epoch (results.json holds every epoch, plus activation histograms).",
        crate::diagnostics::PROBE_ROWS
    ))]));
    doc.extend(charts.iter().map(Block::Chart));
    let findings = layer_findings(r);
    if !findings.is_empty() {
        doc.push(Block::Bullets(
            findings.into_iter().map(|f| vec![plain(f)]).collect(),
        ));
    }
    let act = r.spec.model.activation;
    let bounded = matches!(
        act,
        crate::activation::Activation::Tanh
            | crate::activation::Activation::Sigmoid
            | crate::activation::Activation::Softsign
    );
    let relu = act == crate::activation::Activation::Relu;
    let hidden = r.spec.model.hidden.len();
    let extra = if bounded {
        ", saturated %"
    } else if relu {
        ", dead ReLU %"
    } else {
        ""
    };
    for (when, title) in [
        (When::Initialization, "at initialization"),
        (When::End, "after training"),
    ] {
        let mut header = vec!["initializer".to_owned()];
        header.extend((1..=hidden).map(|l| format!("layer {l}")));
        let rows = r
            .spec
            .initializers
            .iter()
            .map(|init| {
                let name = init.to_string();
                let std = layer_profile(r, &name, when, |l| Some(l.act_std));
                let sat = layer_profile(
                    r,
                    &name,
                    when,
                    |l| if bounded { l.saturated } else { l.dead },
                );
                let units = layer_profile(r, &name, when, |l| Some(l.distinct_units as f64));
                let mut row = vec![vec![plain(name.clone())]];
                for l in 0..hidden {
                    let mut cell = std[l].map_or("—".to_owned(), num);
                    if bounded || relu {
                        cell += &sat[l].map_or(String::new(), |s| format!(" · {:.0}%", s * 100.0));
                    }
                    cell += &units[l].map_or(String::new(), |u| format!(" · {u:.0} units"));
                    row.push(vec![plain(cell)]);
                }
                row
            })
            .collect();
        doc.push(Block::Table {
            header,
            rows,
            note: Some(format!("Per hidden layer {title}: activation std{extra}, distinct hidden units (mean over seeds that did not diverge).")),
        });
    }
}
