//! The report's "The study" section: everything needed to judge and repeat what was run — the
//! dataset and its preparation, the model, the training and the initializers.

use super::document::{Block, Line, Span, plain, user};
use super::format::count;
use crate::data::{DataSummary, MissingPolicy, Task};
use crate::init::describe;
use crate::study::StudyResult;
use crate::train::{OptimizerKind, OptimizerSpec};

pub(super) fn study_section<'a>(r: &StudyResult) -> Vec<Block<'a>> {
    let mut pairs = dataset_pairs(r);
    pairs.push(("model".into(), vec![plain(model_text(r))]));
    pairs.push(("training".into(), vec![plain(training_text(r))]));
    vec![
        Block::Heading("The study".into()),
        Block::Pairs(pairs),
        initializers_list(r),
    ]
}

/// The file, its rows, the split and the columns, as `(label, value)` pairs.
fn dataset_pairs(r: &StudyResult) -> Vec<(String, Line)> {
    let d = &r.data;
    let sha = if d.sha256.is_empty() {
        "unknown".into()
    } else {
        d.sha256.clone()
    };
    let task = match d.task {
        Task::Regression => "regression",
        Task::Classification => "classification",
    };
    vec![
        ("dataset".into(), vec![user(d.file.clone())]),
        ("SHA-256".into(), vec![Span::Code(sha)]),
        (
            "target".into(),
            vec![user(d.target.clone()), plain(format!(" ({task})"))],
        ),
        ("rows".into(), vec![plain(rows_text(d))]),
        ("split".into(), vec![plain(split_text(r))]),
        ("features".into(), features_line(d)),
        ("excluded columns".into(), excluded_line(d)),
        ("classes".into(), classes_line(d)),
    ]
}

fn rows_text(d: &DataSummary) -> String {
    let policy = match d.missing_policy {
        MissingPolicy::DropRow => "policy: drop the row",
        MissingPolicy::ImputeMean => "policy: impute the training mean",
    };
    format!(
        "{} of {} used; {} dropped for a missing target, {} for missing features ({policy}); {} cells imputed",
        d.rows_used,
        d.rows_total,
        d.rows_dropped_missing_target,
        d.rows_dropped_missing_features,
        d.cells_imputed
    )
}

fn split_text(r: &StudyResult) -> String {
    let d = &r.data;
    format!(
        "{} training / {} validation rows (validation fraction {}, {}seed {}); features standardised with the training split's statistics",
        d.n_train,
        d.n_val,
        r.spec.prepare.val_fraction,
        if d.task == Task::Classification {
            "stratified, "
        } else {
            ""
        },
        r.spec.seed
    )
}

/// `64 inputs from 64 columns: a, b, colour (categorical, 3 levels one-hot)`.
fn features_line(d: &DataSummary) -> Line {
    let mut line: Line = vec![plain(format!(
        "{} inputs from {} columns: ",
        d.n_inputs,
        d.features.len()
    ))];
    for (i, f) in d.features.iter().enumerate() {
        if i > 0 {
            line.push(plain(", "));
        }
        line.push(user(f.column.clone()));
        if f.kind != "numeric" {
            line.push(plain(format!(" ({}, {} levels one-hot)", f.kind, f.width)));
        }
    }
    line
}

fn excluded_line(d: &DataSummary) -> Line {
    let mut line: Line = Vec::new();
    for (i, e) in d.excluded.iter().enumerate() {
        if i > 0 {
            line.push(plain("; "));
        }
        line.push(user(e.column.clone()));
        line.push(plain(": "));
        line.push(user(e.reason.clone()));
    }
    if line.is_empty() {
        line.push(plain("none"));
    }
    line
}

fn classes_line(d: &DataSummary) -> Line {
    if d.task == Task::Regression {
        return vec![plain(
            "— (regression; the target is standardised with the training split's mean and std)",
        )];
    }
    let mut line = Vec::new();
    for (i, c) in d.classes.iter().enumerate() {
        if i > 0 {
            line.push(plain(", "));
        }
        line.push(user(c.name.clone()));
        line.push(plain(format!(" ({})", c.count)));
    }
    line
}

/// `MLP 64 → 128 → 10 with tanh after each hidden layer, biases zeros; 9610 parameters`.
fn model_text(r: &StudyResult) -> String {
    let d = &r.data;
    let outputs = match d.task {
        Task::Regression => 1,
        Task::Classification => d.classes.len(),
    };
    let dims = r.spec.model.dims(d.n_inputs, outputs);
    let params: usize = dims.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    format!(
        "MLP {} with {} after each hidden layer, biases {}; {} parameters per network",
        dims.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" → "),
        r.spec.model.activation,
        r.spec.model.bias,
        params
    )
}

fn optimizer_text(o: &OptimizerSpec) -> String {
    match o.kind {
        OptimizerKind::Adam => format!("Adam (betas {}/{}, eps {:e})", o.beta1, o.beta2, o.eps),
        OptimizerKind::Momentum => format!(
            "SGD with {}momentum {} (no dampening)",
            if o.nesterov { "Nesterov " } else { "" },
            o.momentum
        ),
        OptimizerKind::Sgd => "plain SGD".into(),
    }
}

fn training_text(r: &StudyResult) -> String {
    let t = &r.spec.train;
    let loss = match r.data.task {
        Task::Regression => "mean squared error",
        Task::Classification => "softmax cross-entropy",
    };
    format!(
        "{}, learning rate {}, batch {}, {} epochs, {loss} loss; {} per initializer (study seed {}); within a repeat every network sees the same batches in the same order",
        optimizer_text(&t.optimizer),
        t.lr,
        t.batch_size,
        t.epochs,
        count(r.spec.repeats, "repeat"),
        r.spec.seed
    )
}

/// Each initializer's formula, with the gain it used under this activation.
fn initializers_list<'a>(r: &StudyResult) -> Block<'a> {
    let act = r.spec.model.activation;
    Block::Bullets(
        r.spec
            .initializers
            .iter()
            .map(|i| vec![Span::Code(describe(i, i.gain(act)))])
            .collect(),
    )
}
