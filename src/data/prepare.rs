//! [`Table`] -> [`PreparedData`]: the preparation pipeline. Each step is a function named for
//! what it does; the encoders (in `encode`) and the split (in `split`) live in their own modules.

use super::encode::{class_labels, encode_features, standardised_targets};
use super::error::DataError;
use super::prepared::{
    ClassCount, DataSummary, ExcludedColumn, MissingPolicy, PrepareOptions, PreparedData, Targets,
    Task, TaskChoice,
};
use super::split::{Split, SplitPlan, split};
use super::table::{Column, ColumnData, ColumnKind, Table};

/// Integer-valued numeric targets with at most this many values are taken as classes.
const MAX_INTEGER_CLASSES: usize = 20;
/// The fewest used rows that still leave one row on each side of the split.
const MIN_ROWS: usize = 2;

/// Prepares `table` for training; `seed` fixes the split for the whole study.
///
/// The steps: choose the target and task, select the feature columns, drop rows (missing target,
/// or missing features under [`MissingPolicy::DropRow`]), label the classes, split, then fit the
/// encoders (standardisation, one-hot, imputation) on the training rows only and encode both sides.
pub fn prepare(table: &Table, opts: &PrepareOptions, seed: u64) -> Result<PreparedData, DataError> {
    prepare_split(table, opts, seed, SplitPlan::Fixed)
}

/// [`prepare`] with the split of `plan` (a repeat's own split, or a cross-validation fold).
/// Standardisation is always fitted on that split's training rows only.
pub fn prepare_split(
    table: &Table,
    opts: &PrepareOptions,
    seed: u64,
    plan: SplitPlan,
) -> Result<PreparedData, DataError> {
    let file = table.source.as_str();
    check_val_fraction(opts.val_fraction)?;
    let target = find_target(table, &opts.target)?;
    let task = infer_task(target, opts.task, file)?;
    let (features, mut excluded) = select_features(table, target, &opts.ignore);
    if features.is_empty() {
        return Err(DataError::NoFeatures { file: file.into() });
    }
    let used = usable_rows(table.n_rows, target, &features, opts.missing);
    let (labels, classes) = label_classes(target, task, &used.rows, file)?;
    let sides = split_rows(&used.rows, &labels, classes.len(), opts, (seed, plan), file)?;
    let enc = encode_features(&features, &sides.train_rows, &sides.val_rows);
    if enc.n_inputs == 0 {
        return Err(DataError::NoFeatures { file: file.into() });
    }
    excluded.extend(enc.excluded);
    let (y_train, y_val, target_mean, target_std) =
        encode_targets(task, target, &labels, &sides, file)?;
    let summary = DataSummary {
        file: file.into(),
        sha256: table.sha256.clone(),
        target: target.name.clone(),
        task,
        rows_total: table.n_rows,
        rows_used: used.rows.len(),
        rows_dropped_missing_target: used.dropped_target,
        rows_dropped_missing_features: used.dropped_features,
        cells_imputed: enc.cells_imputed,
        cells_unseen_level: enc.cells_unseen_level,
        n_train: sides.train_rows.len(),
        n_val: sides.val_rows.len(),
        n_inputs: enc.n_inputs,
        features: enc.infos,
        excluded,
        classes: class_counts(&classes, &labels),
        missing_policy: opts.missing,
    };
    Ok(PreparedData {
        task,
        n_inputs: enc.n_inputs,
        input_names: enc.input_names,
        x_train: enc.x_train,
        y_train,
        x_val: enc.x_val,
        y_val,
        classes,
        target_mean,
        target_std,
        train_rows: sides.train_rows,
        val_rows: sides.val_rows,
        summary,
    })
}

fn check_val_fraction(val_fraction: f64) -> Result<(), DataError> {
    if val_fraction > 0.0 && val_fraction < 1.0 {
        return Ok(());
    }
    Err(DataError::Setting {
        field: "val_fraction".into(),
        message: format!("must be between 0 and 1 (exclusive), got {val_fraction}"),
    })
}

fn find_target<'t>(table: &'t Table, name: &str) -> Result<&'t Column, DataError> {
    match table.column_index(name) {
        Some(i) => Ok(&table.columns[i]),
        None => Err(DataError::UnknownTarget {
            file: table.source.clone(),
            target: name.into(),
            available: table.column_names().join(", "),
        }),
    }
}

/// Feature columns: everything but the target, the ignored, the free-text and the empty columns;
/// the others are returned as excluded, each with the reason shown to the user.
fn select_features<'t>(
    table: &'t Table,
    target: &Column,
    ignore: &[String],
) -> (Vec<&'t Column>, Vec<ExcludedColumn>) {
    let mut features = Vec::new();
    let mut excluded = Vec::new();
    for c in table.columns.iter().filter(|c| c.name != target.name) {
        let reason = if ignore.iter().any(|n| n == &c.name || n == &c.original_name) {
            "ignored by the user".to_owned()
        } else if let ColumnKind::Text { reason } = &c.kind {
            reason.clone()
        } else if c.missing == table.n_rows {
            "every cell is missing".to_owned()
        } else {
            features.push(c);
            continue;
        };
        excluded.push(ExcludedColumn {
            column: c.name.clone(),
            reason,
        });
    }
    (features, excluded)
}

/// The table rows training can use, and how many were dropped for which reason.
struct UsedRows {
    rows: Vec<usize>,
    dropped_target: usize,
    dropped_features: usize,
}

/// A missing target always drops the row; a missing feature drops it under
/// [`MissingPolicy::DropRow`] only (under imputation the encoders fill it in).
fn usable_rows(
    n_rows: usize,
    target: &Column,
    features: &[&Column],
    policy: MissingPolicy,
) -> UsedRows {
    let mut used = UsedRows {
        rows: Vec::with_capacity(n_rows),
        dropped_target: 0,
        dropped_features: 0,
    };
    for r in 0..n_rows {
        if target.is_missing(r) {
            used.dropped_target += 1;
        } else if policy == MissingPolicy::DropRow && features.iter().any(|c| c.is_missing(r)) {
            used.dropped_features += 1;
        } else {
            used.rows.push(r);
        }
    }
    used
}

/// Classification: a class index per used row and the class names, at least two of them.
/// Regression: nothing (the split is then not stratified).
fn label_classes(
    target: &Column,
    task: Task,
    rows: &[usize],
    file: &str,
) -> Result<(Vec<u32>, Vec<String>), DataError> {
    if task == Task::Regression {
        return Ok((Vec::new(), Vec::new()));
    }
    let (labels, classes) = class_labels(target, rows);
    if classes.len() < 2 {
        return Err(DataError::OneClass {
            file: file.into(),
            column: target.name.clone(),
            classes: classes.len(),
        });
    }
    Ok((labels, classes))
}

/// Both sides of the split: positions into the used rows (where the labels are) and table rows.
struct Sides {
    train: Vec<usize>,
    val: Vec<usize>,
    train_rows: Vec<usize>,
    val_rows: Vec<usize>,
}

/// The seeded split of the used rows, refusing one that leaves a side empty.
fn split_rows(
    rows: &[usize],
    labels: &[u32],
    n_classes: usize,
    opts: &PrepareOptions,
    (seed, plan): (u64, SplitPlan),
    file: &str,
) -> Result<Sides, DataError> {
    let too_few = || DataError::TooFewRows {
        file: file.into(),
        rows: rows.len(),
        needed: MIN_ROWS,
    };
    if rows.len() < MIN_ROWS {
        return Err(too_few());
    }
    let Split { train, val } = split(labels, n_classes, rows.len(), opts.val_fraction, seed, plan);
    if train.is_empty() || val.is_empty() {
        return Err(too_few());
    }
    Ok(Sides {
        train_rows: train.iter().map(|&p| rows[p]).collect(),
        val_rows: val.iter().map(|&p| rows[p]).collect(),
        train,
        val,
    })
}

/// Class indices, or values standardised on the training rows (with the mean and std to undo it;
/// 0 and 1 for classification).
fn encode_targets(
    task: Task,
    target: &Column,
    labels: &[u32],
    sides: &Sides,
    file: &str,
) -> Result<(Targets, Targets, f32, f32), DataError> {
    match (task, &target.data) {
        (Task::Classification, _) => {
            let pick = |pos: &[usize]| Targets::Classes(pos.iter().map(|&p| labels[p]).collect());
            Ok((pick(&sides.train), pick(&sides.val), 0.0, 1.0))
        }
        (Task::Regression, ColumnData::Numeric(v)) => {
            Ok(standardised_targets(v, &sides.train_rows, &sides.val_rows))
        }
        // `infer_task` chooses regression for numeric targets only.
        (Task::Regression, ColumnData::Text { .. }) => Err(text_regression_target(target, file)),
    }
}

fn class_counts(classes: &[String], labels: &[u32]) -> Vec<ClassCount> {
    let mut counts = vec![0usize; classes.len()];
    for &l in labels {
        counts[l as usize] += 1;
    }
    classes
        .iter()
        .zip(counts)
        .map(|(name, count)| ClassCount {
            name: name.clone(),
            count,
        })
        .collect()
}

fn text_regression_target(target: &Column, file: &str) -> DataError {
    DataError::TextRegressionTarget {
        file: file.into(),
        column: target.name.clone(),
        example: (0..target.data_len())
            .find(|&r| !target.is_missing(r))
            .map(|r| target.cell_text(r))
            .unwrap_or_default(),
    }
}

/// The forced task, or for `Auto`: text targets are classes; numeric targets are classes when
/// they are integers with few distinct values, each repeated (see [`integer_classes`]).
fn infer_task(target: &Column, choice: TaskChoice, file: &str) -> Result<Task, DataError> {
    match (choice, &target.data) {
        (TaskChoice::Classification, _) => Ok(Task::Classification),
        (TaskChoice::Regression, ColumnData::Text { .. }) => {
            Err(text_regression_target(target, file))
        }
        (TaskChoice::Regression, ColumnData::Numeric(_)) => Ok(Task::Regression),
        (TaskChoice::Auto, ColumnData::Text { .. }) => Ok(Task::Classification),
        (TaskChoice::Auto, ColumnData::Numeric(v)) => Ok(if integer_classes(v, target.missing) {
            Task::Classification
        } else {
            Task::Regression
        }),
    }
}

/// Whether numeric target values look like class codes: integers only, at most
/// [`MAX_INTEGER_CLASSES`] distinct values, and either at most two values or each value used twice
/// on average (so a small integer-valued measurement stays a regression).
fn integer_classes(values: &[f32], missing: usize) -> bool {
    let mut distinct: Vec<f32> = Vec::new();
    for &x in values.iter().filter(|x| !x.is_nan()) {
        if x.fract() != 0.0 {
            return false;
        }
        if !distinct.contains(&x) {
            distinct.push(x);
            if distinct.len() > MAX_INTEGER_CLASSES {
                return false;
            }
        }
    }
    let present = values.len() - missing;
    distinct.len() * 2 <= present || distinct.len() <= 2
}

impl Column {
    fn data_len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Text { codes, .. } => codes.len(),
        }
    }
}
