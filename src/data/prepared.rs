//! The types of preparation: what the user asks for ([`PrepareOptions`]) and what training gets
//! ([`PreparedData`], with a [`DataSummary`] a user can check).

use serde::{Deserialize, Serialize};

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
    /// Validation cells whose category level never occurs in the training rows: the model cannot
    /// have learnt a weight for such a level, so the cell is encoded as all zeros (no level).
    /// Left out of files when 0, so summaries from before this count read and write unchanged.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cells_unseen_level: usize,
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
        if self.cells_unseen_level > 0 {
            s += &format!(
                "; {} validation cells hold a category absent from training (encoded as none)",
                self.cells_unseen_level
            );
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

fn is_zero(n: &usize) -> bool {
    *n == 0
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
