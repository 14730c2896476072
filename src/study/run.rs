//! Running a study: the arms are split into contiguous groups, each trained in its own stacked
//! module on its own thread, and their histories gathered in arm order.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use burn::tensor::Device;
use rand::seq::SliceRandom;

use super::summary::summarize;
use super::{Arm, Environment, RunResult, StudyError, StudyResult, StudySpec, estimate_memory};
use crate::data::{LoadProgress, PreparedData, Table, prepare};
use crate::diagnostics::PROBE_ROWS;
use crate::init::init_arm;
use crate::rng::{derive_rng, stream};
use crate::train::{ArmOutcome, ArmPlan, TrainEvent, Trainer, steps_per_epoch};

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
/// is set, keeping every completed epoch. Refuses a study that would not fit in memory.
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
    let threads = options.threads.clamp(1, arms.len());
    let memory = estimate_memory(spec, data.n_inputs, data.n_outputs(), threads);
    if !memory.fits() {
        return Err(StudyError::TooBig(memory));
    }
    let probe = probe_rows(data, spec.seed);
    let trainer = Trainer {
        data,
        model: &spec.model,
        spec: &spec.train,
        seed: spec.seed,
        probe: spec.diagnostics.then_some(probe.as_slice()),
        keep_final_weights: false,
    };
    let planner = Planner {
        spec,
        dims: spec.model.dims(data.n_inputs, data.n_outputs()),
        probe: &probe,
    };
    let groups: Vec<&[Arm]> = arms.chunks(arms.len().div_ceil(threads)).collect();
    let trained = train_groups(&planner, &trainer, &groups, emit, cancel)?;
    let runs = collect_runs(&arms, trained);
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

/// Each group's plans and outcomes, in group order.
type Trained = Vec<(Vec<ArmPlan>, Vec<ArmOutcome>)>;

/// Trains each group on its own named thread; a panicking group becomes a `Worker` error.
fn train_groups(
    planner: &Planner<'_>,
    trainer: &Trainer<'_>,
    groups: &[&[Arm]],
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<Trained, StudyError> {
    let per_group = groups.first().map_or(0, |g| g.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                std::thread::Builder::new()
                    .name(format!("initlab-train-{g}"))
                    .spawn_scoped(s, move || {
                        let plans = planner.plans(g * per_group, group);
                        let outcomes = trainer.train(&plans, &Device::flex(), emit, cancel);
                        (plans, outcomes)
                    })
            })
            .collect();
        let mut all = Vec::with_capacity(groups.len());
        for h in handles {
            let h = h.map_err(|e| StudyError::Worker(e.to_string()))?;
            let joined = h
                .join()
                .map_err(|e| StudyError::Worker(panic_message(e.as_ref())))?;
            all.push(joined);
        }
        Ok(all)
    })
}

/// Draws the initial weights of a group's arms, on the group's own thread (groups draw in
/// parallel).
struct Planner<'a> {
    spec: &'a StudySpec,
    dims: Vec<usize>,
    /// LSUV calibrates on it.
    probe: &'a [f32],
}

impl Planner<'_> {
    /// The plans of `group`, whose first arm has index `first` in the study.
    fn plans(&self, first: usize, group: &[Arm]) -> Vec<ArmPlan> {
        let spec = self.spec;
        group
            .iter()
            .enumerate()
            .map(|(k, arm)| ArmPlan {
                arm: first + k,
                repeat: arm.repeat as u64,
                weights: init_arm(
                    &arm.initializer,
                    &self.dims,
                    spec.model.activation,
                    spec.model.bias,
                    spec.seed,
                    arm.repeat as u64,
                    arm.initializer.needs_data().then_some(self.probe),
                ),
            })
            .collect()
    }
}

/// One history per arm, in arm order.
fn collect_runs(arms: &[Arm], trained: Trained) -> Vec<RunResult> {
    let mut runs = Vec::with_capacity(arms.len());
    for (plans, outs) in trained {
        for (p, o) in plans.into_iter().zip(outs) {
            runs.push(RunResult {
                initializer: arms[p.arm].initializer.to_string(),
                repeat: arms[p.arm].repeat,
                diverged: o.diverged_epoch.is_some(),
                diverged_epoch: o.diverged_epoch,
                epochs: o.epochs,
                lsuv: p.weights.lsuv,
                diagnostics: o.diagnostics,
            });
        }
    }
    runs
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

/// The text of a caught panic (a `&str` or `String` payload), for error messages.
pub fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}
