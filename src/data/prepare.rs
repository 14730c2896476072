//! [`Table`] -> [`PreparedData`]: target and task, missing values, one-hot encoding, a seeded
//! (stratified) split, and standardisation fitted on the training rows only.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::error::DataError;
use super::table::{Column, ColumnData, ColumnKind, MISSING_CODE, Table, format_number};
use crate::rng::{derive_rng, stream};

/// Classification or regression, as inferred or as forced by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Classification,
    Regression,
}

impl Task {
    /// The validation score's name as people read it ("accuracy" or "R²"); every label of the
    /// score (table column, chart axis, report heading) is built from this one place.
    pub fn score_name(self) -> &'static str {
        match self {
            Task::Classification => "accuracy",
            Task::Regression => "R²",
        }
    }

    /// The score's name in machine-readable files (`curves.csv`): ASCII, no spaces.
    pub fn score_key(self) -> &'static str {
        match self {
            Task::Classification => "accuracy",
            Task::Regression => "r2",
        }
    }
}

/// The user's choice of task; `Auto` infers it from the target column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskChoice {
    #[default]
    Auto,
    Classification,
    Regression,
}

/// What to do with a row whose feature cell is missing (a missing target always drops the row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    #[default]
    DropRow,
    /// Numeric cells get the training mean, categorical cells the most frequent training level.
    ImputeMean,
}

/// How to turn a table into training data; part of every study spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrepareOptions {
    pub target: String,
    pub task: TaskChoice,
    pub missing: MissingPolicy,
    /// Columns the user excluded from the features.
    pub ignore: Vec<String>,
    pub val_fraction: f64,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        Self {
            target: String::new(),
            task: TaskChoice::Auto,
            missing: MissingPolicy::DropRow,
            ignore: Vec::new(),
            val_fraction: 0.2,
        }
    }
}

/// Targets of one split.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// Class indices into [`PreparedData::classes`].
    Classes(Vec<u32>),
    /// Standardised values (training mean and std), one output.
    Values(Vec<f32>),
}

impl Targets {
    pub fn len(&self) -> usize {
        match self {
            Targets::Classes(v) => v.len(),
            Targets::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One input feature after encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub column: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// Number of model inputs (1, or the number of one-hot levels).
    pub width: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedColumn {
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub name: String,
    pub count: usize,
}

/// What loading and preparation did, in terms a user can check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    pub file: String,
    /// SHA-256 of the file's bytes.
    #[serde(default)]
    pub sha256: String,
    pub target: String,
    pub task: Task,
    pub rows_total: usize,
    pub rows_used: usize,
    pub rows_dropped_missing_target: usize,
    pub rows_dropped_missing_features: usize,
    pub cells_imputed: usize,
    pub n_train: usize,
    pub n_val: usize,
    pub n_inputs: usize,
    pub features: Vec<FeatureInfo>,
    pub excluded: Vec<ExcludedColumn>,
    /// Classification only: every class with its count over the used rows.
    pub classes: Vec<ClassCount>,
    pub missing_policy: MissingPolicy,
}

impl DataSummary {
    /// A few lines for terminals and the UI.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}: {} of {} rows used ({} train, {} validation)",
            self.file, self.rows_used, self.rows_total, self.n_train, self.n_val
        );
        let dropped = self.rows_dropped_missing_target + self.rows_dropped_missing_features;
        if dropped > 0 {
            s += &format!(
                "; {dropped} dropped ({} missing target, {} missing features)",
                self.rows_dropped_missing_target, self.rows_dropped_missing_features
            );
        }
        if self.cells_imputed > 0 {
            s += &format!("; {} cells imputed", self.cells_imputed);
        }
        let numeric = self.features.iter().filter(|f| f.kind == "numeric").count();
        let categorical = self.features.len() - numeric;
        s += &format!(
            "\nfeatures: {numeric} numeric, {categorical} categorical -> {} inputs",
            self.n_inputs
        );
        for e in &self.excluded {
            s += &format!("\nexcluded '{}': {}", e.column, e.reason);
        }
        match self.task {
            Task::Classification => {
                let classes: Vec<String> = self
                    .classes
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.count))
                    .collect();
                s += &format!(
                    "\ntarget '{}': classification, {} classes: {}",
                    self.target,
                    self.classes.len(),
                    classes.join(", ")
                );
            }
            Task::Regression => s += &format!("\ntarget '{}': regression", self.target),
        }
        s
    }
}

/// Training-ready data: row-major `[rows, n_inputs]` matrices.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedData {
    pub task: Task,
    pub n_inputs: usize,
    pub input_names: Vec<String>,
    pub x_train: Vec<f32>,
    pub y_train: Targets,
    pub x_val: Vec<f32>,
    pub y_val: Targets,
    /// Class names (classification), in index order.
    pub classes: Vec<String>,
    /// Regression: the training target's mean and std, to undo the standardisation.
    pub target_mean: f32,
    pub target_std: f32,
    /// Table rows (0-based) of the training and validation sets, in order.
    pub train_rows: Vec<usize>,
    pub val_rows: Vec<usize>,
    pub summary: DataSummary,
}

impl PreparedData {
    pub fn n_train(&self) -> usize {
        self.y_train.len()
    }

    pub fn n_val(&self) -> usize {
        self.y_val.len()
    }

    /// Model outputs: one logit per class, or one value.
    pub fn n_outputs(&self) -> usize {
        match self.task {
            Task::Classification => self.classes.len(),
            Task::Regression => 1,
        }
    }
}

/// Integer-valued numeric targets with at most this many values are taken as classes.
const MAX_INTEGER_CLASSES: usize = 20;

/// Prepares `table` for training; `seed` fixes the split for the whole study.
pub fn prepare(table: &Table, opts: &PrepareOptions, seed: u64) -> Result<PreparedData, DataError> {
    let file = table.source.clone();
    if !(opts.val_fraction > 0.0 && opts.val_fraction < 1.0) {
        return Err(DataError::Setting {
            field: "val_fraction".into(),
            message: format!(
                "must be between 0 and 1 (exclusive), got {}",
                opts.val_fraction
            ),
        });
    }
    let t_idx = table
        .column_index(&opts.target)
        .ok_or_else(|| DataError::UnknownTarget {
            file: file.clone(),
            target: opts.target.clone(),
            available: table.column_names().join(", "),
        })?;
    let target = &table.columns[t_idx];
    let task = infer_task(target, opts.task, &file)?;

    // Feature columns: everything but the target, the ignored and the free-text columns.
    let mut excluded = Vec::new();
    let mut features: Vec<&Column> = Vec::new();
    for (i, c) in table.columns.iter().enumerate() {
        if i == t_idx {
            continue;
        }
        if opts
            .ignore
            .iter()
            .any(|n| n == &c.name || n == &c.original_name)
        {
            excluded.push(ExcludedColumn {
                column: c.name.clone(),
                reason: "ignored by the user".into(),
            });
        } else if let ColumnKind::Text { reason } = &c.kind {
            excluded.push(ExcludedColumn {
                column: c.name.clone(),
                reason: reason.clone(),
            });
        } else if c.missing == table.n_rows {
            excluded.push(ExcludedColumn {
                column: c.name.clone(),
                reason: "every cell is missing".into(),
            });
        } else {
            features.push(c);
        }
    }
    if features.is_empty() {
        return Err(DataError::NoFeatures { file });
    }

    // Rows: a missing target always drops the row; missing features drop it under DropRow.
    let mut rows = Vec::with_capacity(table.n_rows);
    let mut dropped_target = 0;
    let mut dropped_features = 0;
    for r in 0..table.n_rows {
        if target.is_missing(r) {
            dropped_target += 1;
        } else if opts.missing == MissingPolicy::DropRow && features.iter().any(|c| c.is_missing(r))
        {
            dropped_features += 1;
        } else {
            rows.push(r);
        }
    }

    // Labels over the used rows.
    let (labels, classes) = match task {
        Task::Classification => {
            let (labels, classes) = class_labels(target, &rows);
            if classes.len() < 2 {
                return Err(DataError::OneClass {
                    file,
                    column: target.name.clone(),
                    classes: classes.len(),
                });
            }
            (labels, classes)
        }
        Task::Regression => (Vec::new(), Vec::new()),
    };
    let min_rows = 2;
    if rows.len() < min_rows {
        return Err(DataError::TooFewRows {
            file,
            rows: rows.len(),
            needed: min_rows,
        });
    }

    let (train_pos, val_pos) = split(&labels, classes.len(), rows.len(), opts.val_fraction, seed);
    if train_pos.is_empty() || val_pos.is_empty() {
        return Err(DataError::TooFewRows {
            file,
            rows: rows.len(),
            needed: min_rows,
        });
    }
    let train_rows: Vec<usize> = train_pos.iter().map(|&p| rows[p]).collect();
    let val_rows: Vec<usize> = val_pos.iter().map(|&p| rows[p]).collect();

    // Encoders fitted on the training rows only.
    let encoders: Vec<Encoder> = features
        .iter()
        .map(|c| Encoder::fit(c, &train_rows))
        .collect();
    let n_inputs: usize = encoders.iter().map(Encoder::width).sum();
    let mut cells_imputed = 0;
    let mut encode = |rows: &[usize]| {
        let mut x = vec![0.0f32; rows.len() * n_inputs];
        let mut offset = 0;
        for (c, enc) in features.iter().zip(&encoders) {
            cells_imputed += enc.write(c, rows, &mut x, offset, n_inputs);
            offset += enc.width();
        }
        x
    };
    let x_train = encode(&train_rows);
    let x_val = encode(&val_rows);

    let (y_train, y_val, target_mean, target_std) = match task {
        Task::Classification => {
            let pick = |pos: &[usize]| Targets::Classes(pos.iter().map(|&p| labels[p]).collect());
            (pick(&train_pos), pick(&val_pos), 0.0, 1.0)
        }
        Task::Regression => {
            let ColumnData::Numeric(v) = &target.data else {
                return Err(DataError::TextRegressionTarget {
                    file,
                    column: target.name.clone(),
                    example: target.cell_text(rows[0]),
                });
            };
            let (mean, std) = mean_std(train_rows.iter().map(|&r| v[r]));
            let scale =
                |rs: &[usize]| Targets::Values(rs.iter().map(|&r| (v[r] - mean) / std).collect());
            (scale(&train_rows), scale(&val_rows), mean, std)
        }
    };

    let mut input_names = Vec::with_capacity(n_inputs);
    let mut infos = Vec::with_capacity(features.len());
    for (c, enc) in features.iter().zip(&encoders) {
        match enc {
            Encoder::Numeric { .. } => input_names.push(c.name.clone()),
            Encoder::OneHot { levels, .. } => {
                input_names.extend(levels.iter().map(|l| format!("{}={}", c.name, l)));
            }
        }
        infos.push(FeatureInfo {
            column: c.name.clone(),
            kind: c.kind.label().into(),
            width: enc.width(),
        });
    }
    let class_counts = classes
        .iter()
        .enumerate()
        .map(|(k, name)| ClassCount {
            name: name.clone(),
            count: labels.iter().filter(|&&l| l == k as u32).count(),
        })
        .collect();

    let summary = DataSummary {
        file: file.clone(),
        sha256: table.sha256.clone(),
        target: target.name.clone(),
        task,
        rows_total: table.n_rows,
        rows_used: rows.len(),
        rows_dropped_missing_target: dropped_target,
        rows_dropped_missing_features: dropped_features,
        cells_imputed,
        n_train: train_rows.len(),
        n_val: val_rows.len(),
        n_inputs,
        features: infos,
        excluded,
        classes: class_counts,
        missing_policy: opts.missing,
    };
    Ok(PreparedData {
        task,
        n_inputs,
        input_names,
        x_train,
        y_train,
        x_val,
        y_val,
        classes,
        target_mean,
        target_std,
        train_rows,
        val_rows,
        summary,
    })
}

fn infer_task(target: &Column, choice: TaskChoice, file: &str) -> Result<Task, DataError> {
    let numeric = matches!(target.data, ColumnData::Numeric(_));
    match choice {
        TaskChoice::Classification => Ok(Task::Classification),
        TaskChoice::Regression if !numeric => Err(DataError::TextRegressionTarget {
            file: file.into(),
            column: target.name.clone(),
            example: (0..target.data_len())
                .find(|&r| !target.is_missing(r))
                .map(|r| target.cell_text(r))
                .unwrap_or_default(),
        }),
        TaskChoice::Regression => Ok(Task::Regression),
        TaskChoice::Auto => {
            let ColumnData::Numeric(v) = &target.data else {
                return Ok(Task::Classification);
            };
            let mut distinct: Vec<f32> = Vec::new();
            for &x in v.iter().filter(|x| !x.is_nan()) {
                if x.fract() != 0.0 {
                    return Ok(Task::Regression);
                }
                if !distinct.contains(&x) {
                    distinct.push(x);
                    if distinct.len() > MAX_INTEGER_CLASSES {
                        return Ok(Task::Regression);
                    }
                }
            }
            let present = v.len() - target.missing;
            Ok(if distinct.len() * 2 <= present || distinct.len() <= 2 {
                Task::Classification
            } else {
                Task::Regression
            })
        }
    }
}

impl Column {
    fn data_len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Text { codes, .. } => codes.len(),
        }
    }
}

/// Class index per used row, and class names: text levels in order of first appearance, numeric
/// values in ascending order.
fn class_labels(target: &Column, rows: &[usize]) -> (Vec<u32>, Vec<String>) {
    match &target.data {
        ColumnData::Text { codes, levels } => {
            let mut remap = vec![u32::MAX; levels.len()];
            let mut names = Vec::new();
            let labels = rows
                .iter()
                .map(|&r| {
                    let c = codes[r] as usize;
                    if remap[c] == u32::MAX {
                        remap[c] = names.len() as u32;
                        names.push(levels[c].clone());
                    }
                    remap[c]
                })
                .collect();
            (labels, names)
        }
        ColumnData::Numeric(v) => {
            let mut values: Vec<f32> = rows.iter().map(|&r| v[r]).collect();
            values.sort_by(f32::total_cmp);
            values.dedup();
            let labels = rows
                .iter()
                .map(|&r| values.partition_point(|&x| x < v[r]) as u32)
                .collect();
            (labels, values.into_iter().map(format_number).collect())
        }
    }
}

/// Positions (into the used rows) of the training and validation sets: `n - floor(n * (1 -
/// frac))` validation rows (1437/360 on digits, as in the benchmark spec). Classification is
/// stratified: classes get their share by largest remainder, and each class with two or more rows
/// lands on both sides.
fn split(
    labels: &[u32],
    n_classes: usize,
    n: usize,
    frac: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let mut rng = derive_rng(seed, &[stream::SPLIT]);
    let n_val = n - ((n as f64 * (1.0 - frac)).floor() as usize).min(n);
    let groups: Vec<Vec<usize>> = if n_classes > 0 {
        let mut g = vec![Vec::new(); n_classes];
        for (p, &l) in labels.iter().enumerate() {
            g[l as usize].push(p);
        }
        g
    } else {
        vec![(0..n).collect()]
    };
    // Largest-remainder allocation of the validation rows to the groups.
    let exact: Vec<f64> = groups
        .iter()
        .map(|g| g.len() as f64 * n_val as f64 / n as f64)
        .collect();
    let mut quota: Vec<usize> = exact.iter().map(|q| q.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..groups.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let mut left = n_val.saturating_sub(quota.iter().sum());
    for &i in by_remainder.iter().cycle().take(groups.len() * 2) {
        if left == 0 {
            break;
        }
        if quota[i] < groups[i].len() {
            quota[i] += 1;
            left -= 1;
        }
    }
    let mut train = Vec::with_capacity(n);
    let mut val = Vec::with_capacity(n_val);
    for (mut g, k) in groups.into_iter().zip(quota) {
        g.shuffle(&mut rng);
        let k = if g.len() >= 2 {
            k.clamp(1, g.len() - 1)
        } else {
            0
        };
        val.extend_from_slice(&g[..k]);
        train.extend_from_slice(&g[k..]);
    }
    train.sort_unstable();
    val.sort_unstable();
    (train, val)
}

/// Mean and population std over finite values; std 0 (a constant column) becomes 1 so that
/// standardising never divides by zero.
fn mean_std(values: impl Iterator<Item = f32>) -> (f32, f32) {
    let (mut n, mut sum, mut sq) = (0usize, 0f64, 0f64);
    for v in values.filter(|v| v.is_finite()) {
        n += 1;
        sum += v as f64;
        sq += (v as f64) * (v as f64);
    }
    if n == 0 {
        return (0.0, 1.0);
    }
    let mean = sum / n as f64;
    let var = (sq / n as f64 - mean * mean).max(0.0);
    let std = var.sqrt();
    (mean as f32, if std > 1e-12 { std as f32 } else { 1.0 })
}

/// Per-column encoding fitted on the training rows.
enum Encoder {
    Numeric {
        mean: f32,
        std: f32,
    },
    /// `map[code]` is the one-hot slot (or `u32::MAX` for a level absent from training);
    /// `fill` is the slot used for missing cells under imputation (the most frequent level).
    OneHot {
        levels: Vec<String>,
        map: Vec<u32>,
        fill: u32,
    },
}

impl Encoder {
    fn fit(c: &Column, train: &[usize]) -> Encoder {
        match &c.data {
            ColumnData::Numeric(v) => {
                let (mean, std) = mean_std(train.iter().map(|&r| v[r]));
                Encoder::Numeric { mean, std }
            }
            ColumnData::Text { codes, levels } => {
                // Slots for every level seen anywhere, so validation levels are not silently lost.
                let map: Vec<u32> = (0..levels.len() as u32).collect();
                let mut counts = vec![0usize; levels.len()];
                for &r in train {
                    if codes[r] != MISSING_CODE {
                        counts[codes[r] as usize] += 1;
                    }
                }
                let fill = counts
                    .iter()
                    .enumerate()
                    .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
                    .map_or(0, |(i, _)| i as u32);
                Encoder::OneHot {
                    levels: levels.clone(),
                    map,
                    fill,
                }
            }
        }
    }

    fn width(&self) -> usize {
        match self {
            Encoder::Numeric { .. } => 1,
            Encoder::OneHot { levels, .. } => levels.len(),
        }
    }

    /// Writes this column into `x` at `offset`; returns the number of imputed cells.
    fn write(
        &self,
        c: &Column,
        rows: &[usize],
        x: &mut [f32],
        offset: usize,
        stride: usize,
    ) -> usize {
        let mut imputed = 0;
        match (self, &c.data) {
            (Encoder::Numeric { mean, std }, ColumnData::Numeric(v)) => {
                for (i, &r) in rows.iter().enumerate() {
                    let value = if v[r].is_nan() {
                        imputed += 1;
                        *mean
                    } else {
                        v[r]
                    };
                    x[i * stride + offset] = (value - mean) / std;
                }
            }
            (Encoder::OneHot { map, fill, .. }, ColumnData::Text { codes, .. }) => {
                for (i, &r) in rows.iter().enumerate() {
                    let slot = if codes[r] == MISSING_CODE {
                        imputed += 1;
                        *fill
                    } else {
                        map[codes[r] as usize]
                    };
                    if slot != u32::MAX {
                        x[i * stride + offset + slot as usize] = 1.0;
                    }
                }
            }
            _ => {}
        }
        imputed
    }
}
