//! What came out of a study: one history per arm, the per-initializer summary, the environment.

use serde::{Deserialize, Serialize};

use super::sweep::Trainability;
use super::{InitSummary, StudyError, StudySpec};
use crate::data::DataSummary;
use crate::diagnostics::RunDiagnostics;
use crate::init::LsuvLayer;
use crate::train::EpochMetrics;

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

impl RunResult {
    /// `arm`'s history before its first epoch.
    pub fn empty(arm: &super::Arm) -> Self {
        Self {
            initializer: arm.initializer.to_string(),
            repeat: arm.repeat,
            diverged: false,
            diverged_epoch: None,
            epochs: Vec::new(),
            lsuv: None,
            diagnostics: None,
        }
    }
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

/// What a gallery experiment concluded from a result: the paper's claim and whether this run
/// reproduced it, with the numbers. Kept in `results.json` with the experiment's texts, so that
/// `initlab report` re-renders the same page without the gallery.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Verdict {
    /// The experiment's name in the gallery (`initlab gallery NAME`).
    pub experiment: String,
    pub title: String,
    pub citation: String,
    /// The paper's claim, in one sentence.
    pub claim: String,
    pub setup: String,
    /// What to look for, naming the chart that shows it.
    pub look_for: String,
    pub reproduced: bool,
    /// "reproduced: ..." or "not reproduced: ...", with the numbers it was decided on.
    pub text: String,
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
    /// A gallery experiment's verdict on this result (absent for ordinary studies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

impl StudyResult {
    pub fn to_json(&self) -> String {
        super::to_json(self)
    }

    pub fn from_json(text: &str, file: &str) -> Result<Self, StudyError> {
        super::from_json(text, file)
    }
}

/// One point of a sweep: where it sits on the axes, its study's result, and each run's
/// trainability (in run order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// Index along every axis of the sweep.
    pub coords: Vec<usize>,
    pub result: StudyResult,
    pub trainability: Vec<Trainability>,
}

/// Everything that came out of a sweep. Each point's `wall_seconds` is the sweep's (points
/// train together, so a point has no wall time of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// The study with its sweep section.
    pub spec: StudySpec,
    pub points: Vec<PointResult>,
    pub environment: Environment,
    pub wall_seconds: f64,
    pub completed: bool,
    /// A gallery experiment's verdict on this result (absent for ordinary sweeps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

impl SweepResult {
    pub fn to_json(&self) -> String {
        super::to_json(self)
    }

    pub fn from_json(text: &str, file: &str) -> Result<Self, StudyError> {
        super::from_json(text, file)
    }
}

/// A results file: a study's or a sweep's (a sweep's has `points`).
#[derive(Debug, Clone, PartialEq)]
pub enum Results {
    Study(Box<StudyResult>),
    Sweep(Box<SweepResult>),
}

impl Results {
    pub fn from_json(text: &str, file: &str) -> Result<Self, StudyError> {
        let is_sweep = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .is_some_and(|v| v.get("points").is_some());
        Ok(if is_sweep {
            Results::Sweep(Box::new(SweepResult::from_json(text, file)?))
        } else {
            Results::Study(Box::new(StudyResult::from_json(text, file)?))
        })
    }
}
