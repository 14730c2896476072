//! What a run looks like to the UI while and after it trains: the live histories, the progress of
//! a running study, and the status line's message.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use crate::data::Task;
use crate::study::{RunResult, StudyResult, StudySpec};
use crate::train::TrainEvent;

/// A message for the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub error: bool,
    pub text: String,
    /// The study's settings were invalid: the message goes away by itself once they are fixed.
    pub about_settings: bool,
}

/// A training run in progress.
pub(super) struct Running {
    pub cancel: Arc<AtomicBool>,
    pub started: Instant,
    pub total_steps: usize,
    pub done_steps: usize,
    /// Training samples of the whole study, for throughput.
    pub total_samples: f64,
    /// A sweep: progress counts network-epochs (`total_steps`, `done_steps`) instead of steps.
    pub sweep: bool,
}

/// Runs as they grow: the spec they were started with, the task of the data they train on, and
/// one history per arm. Views label the results from here, never from the current settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub spec: StudySpec,
    pub task: Task,
    pub runs: Vec<RunResult>,
    /// Changes whenever the runs do (unique across every `Live`), so views can cache what
    /// they compute from them.
    pub version: u64,
}

/// The next [`Live::version`].
pub(super) fn next_version() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Live {
    pub(super) fn new(spec: StudySpec, task: Task) -> Self {
        let runs = spec.arms().iter().map(RunResult::empty).collect();
        Self {
            spec,
            task,
            runs,
            version: next_version(),
        }
    }

    pub(super) fn from_result(r: &StudyResult) -> Self {
        Self {
            spec: r.spec.clone(),
            task: r.data.task,
            runs: r.runs.clone(),
            version: next_version(),
        }
    }
}

/// Applies a training event to the run it names (step counts are the progress bar's).
pub(super) fn apply_event(run: &mut RunResult, e: TrainEvent) {
    match e {
        TrainEvent::Epoch { metrics, .. } => run.epochs.push(metrics),
        TrainEvent::Diverged { epoch, .. } => {
            run.diverged = true;
            run.diverged_epoch = Some(epoch);
        }
        TrainEvent::InitialHistograms { histograms, .. } => {
            let d = run.diagnostics.get_or_insert_with(Default::default);
            d.histograms_init = histograms;
        }
        TrainEvent::Diagnostics { diagnostics, .. } => {
            let d = run.diagnostics.get_or_insert_with(Default::default);
            d.epochs.push(diagnostics);
        }
        TrainEvent::Steps { .. } => {}
    }
}
