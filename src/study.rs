//! A study is a value: [`StudySpec`] says everything that defines it, [`StudyResult`] everything
//! that came out of it. The app edits a spec, the CLI reads one, the report renders a result.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use burn::tensor::Device;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::{
    DataError, DataSummary, LoadProgress, PrepareOptions, PreparedData, Table, bundled::Bundled,
    load_csv, prepare,
};
use crate::diagnostics::{PROBE_ROWS, RunDiagnostics};
use crate::init::{Initializer, LsuvLayer, init_arm};
use crate::model::ModelSpec;
use crate::rng::{derive_rng, stream};
use crate::stats::{InitSummary, summarize};
use crate::train::{ArmPlan, EpochMetrics, TrainEvent, TrainSpec, Trainer, steps_per_epoch};

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
    /// The study seed: fixes the split, every batch order and every initial weight.
    pub seed: u64,
    /// Per-layer diagnostics on a fixed probe batch (saturation, dead units, symmetry, norms).
    pub diagnostics: bool,
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
            initializers: CLASSIC_FIVE.iter().filter_map(|s| s.parse().ok()).collect(),
            repeats: 3,
            seed: 0,
            diagnostics: true,
        }
    }
}

/// zeros, small normal, large normal, Xavier, He: the textbook comparison.
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

pub const CLASSIC_FIVE: [&str; 5] = [
    "zeros",
    "normal:0.01",
    "normal:1",
    "xavier-normal",
    "kaiming-normal",
];

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

    /// Checks everything that does not need the data.
    pub fn validate(&self) -> Result<(), StudyError> {
        let bad = |field: &str, message: String| {
            Err(StudyError::Invalid {
                field: field.into(),
                message,
            })
        };
        if self.version > STUDY_VERSION {
            return bad(
                "version",
                format!(
                    "{} is newer than this initlab understands ({STUDY_VERSION})",
                    self.version
                ),
            );
        }
        if self.initializers.is_empty() {
            return bad("initializers", "list at least one initializer".into());
        }
        if self.repeats == 0 || self.repeats > 1000 {
            return bad(
                "repeats",
                format!("must be between 1 and 1000, got {}", self.repeats),
            );
        }
        if self.train.epochs == 0 || self.train.epochs > 100_000 {
            return bad(
                "epochs",
                format!("must be between 1 and 100000, got {}", self.train.epochs),
            );
        }
        if self.train.batch_size == 0 {
            return bad("batch_size", "must be at least 1".into());
        }
        if !(self.train.lr.is_finite() && self.train.lr > 0.0) {
            return bad(
                "lr",
                format!("must be a positive number, got {}", self.train.lr),
            );
        }
        if self.model.hidden.iter().any(|&w| w == 0 || w > 65_536) {
            return bad(
                "hidden",
                format!(
                    "widths must be between 1 and 65536, got {:?}",
                    self.model.hidden
                ),
            );
        }
        if self.prepare.target.trim().is_empty() {
            return bad("target", "name the target column".into());
        }
        if !(self.prepare.val_fraction > 0.0 && self.prepare.val_fraction < 1.0) {
            return bad(
                "val_fraction",
                format!("must be between 0 and 1, got {}", self.prepare.val_fraction),
            );
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses a study file's text; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Self, StudyError> {
        serde_json::from_str(text).map_err(|e| StudyError::Parse {
            file: file.into(),
            message: e.to_string(),
        })
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
}

/// One arm's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub initializer: String,
    /// The repeat index (0-based); the study seed is in the spec.
    #[serde(alias = "seed")]
    pub repeat: usize,
    pub diverged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged_epoch: Option<usize>,
    pub epochs: Vec<EpochMetrics>,
    /// LSUV only: the variance and iterations per layer after rescaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lsuv: Option<Vec<LsuvLayer>>,
    /// Per-layer diagnostics per epoch, and activation histograms at initialization and the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<RunDiagnostics>,
}

/// Where and how a study ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub initlab_version: String,
    pub backend: String,
    pub threads: usize,
    pub cpu: String,
    pub os: String,
}

impl Environment {
    pub fn current(threads: usize) -> Self {
        Self {
            initlab_version: env!("CARGO_PKG_VERSION").into(),
            backend: "burn 0.22 flex (CPU, f32)".into(),
            threads,
            cpu: cpu_name(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

/// Everything that came out of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResult {
    pub spec: StudySpec,
    pub data: DataSummary,
    pub runs: Vec<RunResult>,
    pub summary: Vec<InitSummary>,
    pub environment: Environment,
    pub wall_seconds: f64,
    /// False when the study was stopped before its last epoch.
    pub completed: bool,
}

impl StudyResult {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str, file: &str) -> Result<Self, StudyError> {
        serde_json::from_str(text).map_err(|e| StudyError::Parse {
            file: file.into(),
            message: e.to_string(),
        })
    }
}

/// How to run (not part of the study's definition: results do not depend on it).
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker threads; each trains a contiguous share of the arms in its own stacked module.
    pub threads: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Progress of a study, in arm indices of [`StudySpec::arms`].
pub type StudyEvent = TrainEvent;

/// Total optimizer steps across all groups, for progress bars.
pub fn total_steps(spec: &StudySpec, data: &PreparedData, threads: usize) -> usize {
    let groups = threads.clamp(1, spec.arms().len().max(1));
    groups * spec.train.epochs * steps_per_epoch(data.n_train(), spec.train.batch_size)
}

/// Loads and prepares the study's data.
pub fn load_data(
    spec: &StudySpec,
    base: Option<&Path>,
    progress: &mut dyn FnMut(LoadProgress),
) -> Result<(Table, PreparedData), StudyError> {
    let table = spec.data_source(base).load(progress)?;
    let prepared = prepare(&table, &spec.prepare, spec.seed)?;
    Ok((table, prepared))
}

/// Trains every arm of `spec` on `data`. Arms are split into `options.threads` contiguous
/// groups, each trained in its own stacked module on its own thread; since arms never interact,
/// the numbers do not depend on the grouping or on scheduling. Stops between steps when `cancel`
/// is set, keeping every completed epoch.
pub fn run_study(
    spec: &StudySpec,
    data: &PreparedData,
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyResult, StudyError> {
    spec.validate()?;
    let started = Instant::now();
    let arms = spec.arms();
    let dims = spec.model.dims(data.n_inputs, data.n_outputs());
    let threads = options.threads.clamp(1, arms.len());
    let per_group = arms.len().div_ceil(threads);
    let groups: Vec<&[Arm]> = arms.chunks(per_group).collect();

    let probe = probe_rows(data, spec.seed);
    let probe = probe.as_slice();
    let plan = |first: usize, group: &[Arm]| -> Vec<ArmPlan> {
        group
            .iter()
            .enumerate()
            .map(|(k, arm)| {
                let batch = arm.initializer.needs_data().then_some(probe);
                ArmPlan {
                    arm: first + k,
                    repeat: arm.repeat as u64,
                    weights: init_arm(
                        &arm.initializer,
                        &dims,
                        spec.model.activation,
                        spec.model.bias,
                        spec.seed,
                        arm.repeat as u64,
                        batch,
                    ),
                }
            })
            .collect()
    };

    let outcomes = std::thread::scope(|s| {
        let handles: Vec<_> = groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let first = g * per_group;
                std::thread::Builder::new()
                    .name(format!("initlab-train-{g}"))
                    .spawn_scoped(s, move || {
                        let plans = plan(first, group);
                        let device = Device::flex();
                        let trainer = Trainer {
                            data,
                            model: &spec.model,
                            spec: &spec.train,
                            seed: spec.seed,
                            probe: spec.diagnostics.then_some(probe),
                        };
                        let outcomes = trainer.train(&plans, &device, emit, cancel);
                        (plans, outcomes)
                    })
            })
            .collect();
        let mut all = Vec::with_capacity(arms.len());
        for h in handles {
            let h = h.map_err(|e| StudyError::Worker(e.to_string()))?;
            let joined = h
                .join()
                .map_err(|e| StudyError::Worker(panic_message(&e)))?;
            all.push(joined);
        }
        Ok::<_, StudyError>(all)
    })?;

    let mut runs = Vec::with_capacity(arms.len());
    for (plans, outs) in outcomes {
        for (p, o) in plans.into_iter().zip(outs) {
            let arm = arms[p.arm];
            runs.push(RunResult {
                initializer: arm.initializer.to_string(),
                repeat: arm.repeat,
                diverged: o.diverged_epoch.is_some(),
                diverged_epoch: o.diverged_epoch,
                epochs: o.epochs,
                lsuv: p.weights.lsuv,
                diagnostics: o.diagnostics,
            });
        }
    }
    let completed = runs.iter().all(|r| {
        r.diverged
            || r.epochs
                .last()
                .is_some_and(|e| e.epoch == spec.train.epochs)
    });
    let summary = summarize(&spec.initializer_names(), &runs);
    Ok(StudyResult {
        spec: spec.clone(),
        data: data.summary.clone(),
        runs,
        summary,
        environment: Environment::current(threads),
        wall_seconds: started.elapsed().as_secs_f64(),
        completed,
    })
}

/// The fixed probe batch: a seeded sample of up to [`PROBE_ROWS`] training rows, the same for
/// every arm and repeat. LSUV calibrates on it and the diagnostics measure on it.
pub fn probe_rows(data: &PreparedData, seed: u64) -> Vec<f32> {
    let mut rows: Vec<usize> = (0..data.n_train()).collect();
    rows.shuffle(&mut derive_rng(seed, &[stream::PROBE]));
    rows.truncate(PROBE_ROWS);
    let d = data.n_inputs;
    rows.iter()
        .flat_map(|&r| data.x_train[r * d..(r + 1) * d].iter().copied())
        .collect()
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}
