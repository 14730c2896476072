//! A study is a value: [`StudySpec`] says everything that defines it, [`StudyResult`] everything
//! that came out of it. The app edits a spec, the CLI reads one, the report renders a result.

mod engine;
mod limits;
mod memory;
mod repeats;
mod result;
mod run;
pub mod shard;
mod summary;
pub mod sweep;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use thiserror::Error;

use crate::data::{DataError, LoadProgress, PrepareOptions, Table, bundled::Bundled, load_csv};
use crate::init::Initializer;
use crate::model::ModelSpec;
use crate::train::TrainSpec;

pub use limits::Limits;
pub use memory::{MemoryEstimate, available_memory, estimate_memory};
pub use repeats::RepeatMode;
pub use result::{Environment, PointResult, Results, RunResult, StudyResult, SweepResult, Verdict};
pub use run::{
    RunOptions, StudyEvent, load_data, panic_message, prepare_repeats, probe_rows, run_study,
    run_study_table, total_steps,
};
pub use summary::{InitSummary, final_val_losses, summarize};
pub use sweep::{Axis, Sweep};

/// Version of the study file format; bumped on incompatible changes.
pub const STUDY_VERSION: u32 = 1;

/// Everything that defines a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StudySpec {
    pub version: u32,
    /// A CSV path, or `bundled:NAME` for a dataset shipped with initlab.
    pub data: String,
    #[serde(flatten)]
    pub prepare: PrepareOptions,
    pub model: ModelSpec,
    pub train: TrainSpec,
    pub initializers: Vec<Initializer>,
    /// Repeats per initializer; repeat `r` shuffles batches and draws weights from its own stream.
    /// (Study files before 0.2 called it `seeds`.)
    #[serde(alias = "seeds")]
    pub repeats: usize,
    /// What differs between repeats besides the weights and batch order: nothing (`seeds`),
    /// the split (`splits`), S splits crossed with the repeats (`splits:S`), or the
    /// cross-validation fold (`folds:K`). A file without it means `seeds`, what every study
    /// file meant before repeat modes, so old files re-run unchanged; new studies use `splits`.
    #[serde(default = "RepeatMode::unspecified")]
    pub repeat_mode: RepeatMode,
    /// The study seed: fixes the split, every batch order and every initial weight.
    pub seed: u64,
    /// Per-layer diagnostics on a fixed probe batch (saturation, dead units, symmetry, norms).
    pub diagnostics: bool,
    /// Axes to sweep: the study is then trained at every point of their grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

impl Default for StudySpec {
    /// The classic result on bundled digits: zeros never learns, large random weights saturate
    /// tanh, the scaled schemes train well.
    fn default() -> Self {
        Self {
            version: STUDY_VERSION,
            data: "bundled:digits".into(),
            prepare: PrepareOptions {
                target: "digit".into(),
                ..PrepareOptions::default()
            },
            model: ModelSpec::default(),
            train: TrainSpec::default(),
            initializers: builtin(&CLASSIC_FIVE),
            repeats: 3,
            // On small data the split moves results far more than the draw (see `RepeatMode`).
            repeat_mode: RepeatMode::Splits,
            seed: 0,
            diagnostics: true,
            sweep: None,
        }
    }
}

/// The eight initializers of the `digits-8x3` benchmark.
pub const BENCHMARK_EIGHT: [&str; 8] = [
    "zeros",
    "normal:0.01",
    "normal:1",
    "xavier-uniform",
    "xavier-normal",
    "kaiming-uniform",
    "kaiming-normal",
    "orthogonal",
];

/// zeros, small normal, large normal, Xavier, He: the textbook comparison.
pub const CLASSIC_FIVE: [&str; 5] = [
    "zeros",
    "normal:0.01",
    "normal:1",
    "xavier-normal",
    "kaiming-normal",
];

/// Named sets of initializers offered by the app (built-in names: a test parses every one).
pub const PRESETS: [(&str, &[&str]); 4] = [
    ("The classic five", &CLASSIC_FIVE),
    ("Benchmark eight", &BENCHMARK_EIGHT),
    (
        "Variance scaling",
        &[
            "lecun-normal",
            "xavier-normal",
            "kaiming-normal",
            "orthogonal",
            "lsuv",
        ],
    ),
    (
        "Scale sweep",
        &[
            "normal:0.001",
            "normal:0.01",
            "normal:0.1",
            "normal:1",
            "normal:10",
        ],
    ),
];

/// Parses a list of built-in initializer names (the presets, the benchmarks). The names are
/// constants of this program, not user input, so a typo is a bug: it panics here, in every test
/// that touches the list (`tests/init.rs` parses every preset), instead of silently dropping an
/// initializer as a `filter_map` would.
pub fn builtin(names: &[&str]) -> Vec<Initializer> {
    names
        .iter()
        .map(|n| {
            n.parse()
                .unwrap_or_else(|e| panic!("built-in initializer list: {n}: {e}"))
        })
        .collect()
}

/// One arm of a study: an initializer and a repeat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    pub init_index: usize,
    pub initializer: Initializer,
    pub repeat: usize,
}

impl StudySpec {
    /// The initializers as their canonical names (how runs and summaries refer to them).
    pub fn initializer_names(&self) -> Vec<String> {
        self.initializers.iter().map(ToString::to_string).collect()
    }

    /// Arms in result order: initializer-major, then repeat.
    pub fn arms(&self) -> Vec<Arm> {
        self.initializers
            .iter()
            .enumerate()
            .flat_map(|(i, init)| {
                (0..self.repeats).map(move |r| Arm {
                    init_index: i,
                    initializer: *init,
                    repeat: r,
                })
            })
            .collect()
    }

    /// Checks everything that does not need the data, against the one set of field limits
    /// ([`Limits`]) that the app's widgets use too.
    pub fn validate(&self) -> Result<(), StudyError> {
        if self.version > STUDY_VERSION {
            return Err(StudyError::invalid(
                "version",
                format!(
                    "{} is newer than this initlab understands ({STUDY_VERSION})",
                    self.version
                ),
            ));
        }
        if self.initializers.is_empty() {
            return Err(StudyError::invalid(
                "initializers",
                "list at least one initializer",
            ));
        }
        let data_axis = self
            .sweep
            .as_ref()
            .is_some_and(|s| s.axes.iter().any(|a| matches!(a, Axis::Data(_))));
        if self.prepare.target.trim().is_empty() && !data_axis {
            return Err(StudyError::invalid("target", "name the target column"));
        }
        Limits::check(self)?;
        self.repeat_mode
            .check(self.repeats)
            .map_err(|m| StudyError::invalid("repeat_mode", m))?;
        if let Some(sweep) = &self.sweep {
            sweep.validate()?;
            for p in self.points() {
                Limits::check(&p.spec).map_err(|e| match e {
                    StudyError::Invalid { field, message } => StudyError::Invalid {
                        field,
                        message: format!("{message} (at {})", sweep.point_label(&p.coords)),
                    },
                    other => other,
                })?;
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        to_json(self)
    }

    /// Parses a study file's text; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Self, StudyError> {
        from_json(text, file)
    }

    pub fn load(path: &Path) -> Result<Self, StudyError> {
        let text = std::fs::read_to_string(path).map_err(|e| StudyError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Where the data comes from, resolved against `base` (the study file's folder) when the
    /// path is relative and not found as given.
    pub fn data_source(&self, base: Option<&Path>) -> DataSource {
        if let Some(b) = self
            .data
            .strip_prefix("bundled:")
            .and_then(Bundled::by_name)
        {
            return DataSource::Bundled(b);
        }
        let p = PathBuf::from(&self.data);
        if p.is_relative()
            && !p.exists()
            && let Some(joined) = base.map(|b| b.join(&p)).filter(|j| j.exists())
        {
            return DataSource::File(joined);
        }
        DataSource::File(p)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    File(PathBuf),
    Bundled(&'static Bundled),
}

impl DataSource {
    pub fn load(&self, progress: &mut dyn FnMut(LoadProgress)) -> Result<Table, DataError> {
        match self {
            DataSource::File(p) => load_csv(p, progress),
            DataSource::Bundled(b) => b.load(),
        }
    }

    /// The raw bytes, for the report's checksum.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            DataSource::File(p) => std::fs::read(p).ok(),
            DataSource::Bundled(b) => Some(b.bytes.to_vec()),
        }
    }
}

#[derive(Debug, Error)]
pub enum StudyError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("invalid study setting '{field}': {message}")]
    Invalid { field: String, message: String },
    #[error("{file}: not a valid study file: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Io { file: String, message: String },
    #[error("a training thread failed: {0}")]
    Worker(String),
    #[error("{0}")]
    TooBig(MemoryEstimate),
    #[error("cannot merge: {0}")]
    Merge(String),
}

impl StudyError {
    fn invalid(field: &str, message: impl Into<String>) -> Self {
        StudyError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Pretty JSON for study and result files (serialising these types cannot fail: plain data).
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Parses a study or results file's text; `file` names it in errors.
fn from_json<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, StudyError> {
    serde_json::from_str(text).map_err(|e| StudyError::Parse {
        file: file.into(),
        message: e.to_string(),
    })
}
