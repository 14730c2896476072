//! Running a study: the arms are split into contiguous groups, each trained in its own stacked
//! module on its own thread, and their histories gathered in arm order.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use burn::tensor::Device;
use rand::seq::SliceRandom;

use super::summary::summarize;
use super::{
    Arm, Environment, RepeatMode, RunResult, StudyError, StudyResult, StudySpec, estimate_memory,
};
use crate::data::{LoadProgress, PreparedData, Table, prepare, prepare_split};
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

/// Total optimizer steps across all groups, for progress bars. `data` is the study's fixed
/// split; repeats with their own splits train on about as many rows.
pub fn total_steps(spec: &StudySpec, data: &PreparedData, threads: usize) -> usize {
    let n_train = match spec.repeat_mode {
        RepeatMode::Folds(k) => (data.n_train() + data.n_val()) * (k - 1) / k,
        _ => data.n_train(),
    };
    let groups = if spec.repeat_mode.varies_data() {
        spec.repeats
    } else {
        threads.clamp(1, spec.arms().len().max(1))
    };
    groups * spec.train.epochs * steps_per_epoch(n_train, spec.train.batch_size)
}

/// Loads and prepares the study's data (its fixed split).
pub fn load_data(
    spec: &StudySpec,
    base: Option<&Path>,
    progress: &mut dyn FnMut(LoadProgress),
) -> Result<(Table, PreparedData), StudyError> {
    let table = spec.data_source(base).load(progress)?;
    let prepared = prepare(&table, &spec.prepare, spec.seed)?;
    Ok((table, prepared))
}

/// The distinct datasets of a study, indexed by [`RepeatMode::data_index`]: one prepared split
/// shared by all repeats (`seeds`), one per repeat (`splits`, `folds:K`), or one per split that
/// several repeats share (`splits:S`); each is standardised on its own training rows.
pub fn prepare_repeats(spec: &StudySpec, table: &Table) -> Result<Vec<PreparedData>, StudyError> {
    let mode = spec.repeat_mode;
    if !mode.varies_data() {
        return Ok(vec![prepare(table, &spec.prepare, spec.seed)?]);
    }
    (0..mode.datasets(spec.repeats))
        .map(|d| {
            // Dataset d is first used by repeat d, whose plan it is.
            let plan = mode.plan(d);
            Ok(prepare_split(table, &spec.prepare, spec.seed, plan)?)
        })
        .collect()
}

/// [`run_study`] for any repeat mode: prepares each repeat's data from `table`, then trains.
pub fn run_study_table(
    spec: &StudySpec,
    table: &Table,
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyResult, StudyError> {
    spec.validate()?;
    let datas = prepare_repeats(spec, table)?;
    run_repeats(spec, &datas, options, emit, cancel)
}

/// Trains every arm of `spec` on `data` (a study whose repeats share one split: see
/// [`run_study_table`] for the others). Arms are split into `options.threads` contiguous groups,
/// each trained in its own stacked module on its own thread; since arms never interact, the
/// numbers do not depend on the grouping or on scheduling. Stops between steps when `cancel` is
/// set, keeping every completed epoch. Refuses a study that would not fit in memory.
pub fn run_study(
    spec: &StudySpec,
    data: &PreparedData,
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyResult, StudyError> {
    if spec.repeat_mode.varies_data() {
        return Err(StudyError::invalid(
            "repeat_mode",
            format!(
                "{} gives every repeat its own data: run the study from its table",
                spec.repeat_mode
            ),
        ));
    }
    run_repeats(spec, std::slice::from_ref(data), options, emit, cancel)
}

/// Trains `spec` where repeat r uses `datas[spec.repeat_mode.data_index(r)]`.
fn run_repeats(
    spec: &StudySpec,
    datas: &[PreparedData],
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyResult, StudyError> {
    spec.validate()?;
    let started = Instant::now();
    let arms = spec.arms();
    let threads = options.threads.clamp(1, arms.len());
    let first = &datas[0];
    let memory = estimate_memory(spec, first.n_inputs, first.n_outputs(), threads);
    if !memory.fits() {
        return Err(StudyError::TooBig(memory));
    }
    let mode = spec.repeat_mode;
    let groups = group_arms(&arms, spec.repeats, mode.varies_data(), threads);
    let probes: Vec<Vec<f32>> = datas.iter().map(|d| probe_rows(d, spec.seed)).collect();
    let setups: Vec<GroupSetup<'_>> = groups
        .iter()
        .map(|g| {
            let d = mode.data_index(g[0].1.repeat);
            GroupSetup::new(spec, &datas[d], &probes[d])
        })
        .collect();
    let trained = train_groups(&setups, &groups, threads, emit, cancel)?;
    let runs = collect_runs(&arms, trained);
    let data = first;
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

/// The groups of arms trained together: with one shared dataset, `threads` contiguous chunks
/// of the arm list (as before repeat modes); when the data vary, one group per repeat (all
/// its initializers, stacked). Each arm keeps its index into `arms`.
fn group_arms(
    arms: &[Arm],
    repeats: usize,
    per_repeat: bool,
    threads: usize,
) -> Vec<Vec<IndexedArm>> {
    let indexed: Vec<IndexedArm> = arms.iter().copied().enumerate().collect();
    if !per_repeat {
        return indexed
            .chunks(arms.len().div_ceil(threads))
            .map(<[IndexedArm]>::to_vec)
            .collect();
    }
    (0..repeats)
        .map(|r| {
            indexed
                .iter()
                .filter(|(_, a)| a.repeat == r)
                .copied()
                .collect()
        })
        .collect()
}

/// An arm and its index in the study.
type IndexedArm = (usize, Arm);

/// What one group trains with: its data, probe and layer widths.
struct GroupSetup<'a> {
    trainer: Trainer<'a>,
    planner: Planner<'a>,
}

impl<'a> GroupSetup<'a> {
    fn new(spec: &'a StudySpec, data: &'a PreparedData, probe: &'a [f32]) -> Self {
        Self {
            trainer: Trainer {
                data,
                model: &spec.model,
                spec: &spec.train,
                seed: spec.seed,
                probe: spec.diagnostics.then_some(probe),
                keep_final_weights: false,
            },
            planner: Planner {
                spec,
                dims: spec.model.dims(data.n_inputs, data.n_outputs()),
                probe,
            },
        }
    }
}

/// Trains the groups on `threads` named threads (thread t takes groups t, t + threads, ...); a
/// panicking thread becomes a `Worker` error.
fn train_groups(
    setups: &[GroupSetup<'_>],
    groups: &[Vec<IndexedArm>],
    threads: usize,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<Trained, StudyError> {
    let workers = threads.clamp(1, groups.len().max(1));
    let per_worker = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                std::thread::Builder::new()
                    .name(format!("initlab-train-{w}"))
                    .spawn_scoped(s, move || {
                        (w..groups.len())
                            .step_by(workers)
                            .map(|g| {
                                let setup = &setups[g];
                                let plans = setup.planner.plans(&groups[g]);
                                let outcomes =
                                    setup.trainer.train(&plans, &Device::flex(), emit, cancel);
                                (plans, outcomes)
                            })
                            .collect::<Trained>()
                    })
            })
            .collect();
        let mut all = Vec::with_capacity(workers);
        for h in handles {
            let h = h.map_err(|e| StudyError::Worker(e.to_string()))?;
            let joined = h
                .join()
                .map_err(|e| StudyError::Worker(panic_message(e.as_ref())))?;
            all.push(joined);
        }
        Ok::<_, StudyError>(all)
    })?;
    Ok(per_worker.into_iter().flatten().collect())
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
    /// The plans of `group`'s arms.
    fn plans(&self, group: &[IndexedArm]) -> Vec<ArmPlan> {
        let spec = self.spec;
        group
            .iter()
            .map(|&(index, arm)| ArmPlan {
                arm: index,
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

/// One history per arm, in arm order (groups may hold arms from anywhere in the list).
fn collect_runs(arms: &[Arm], trained: Trained) -> Vec<RunResult> {
    let mut runs: Vec<Option<RunResult>> = vec![None; arms.len()];
    for (plans, outs) in trained {
        for (p, o) in plans.into_iter().zip(outs) {
            runs[p.arm] = Some(RunResult {
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
    runs.into_iter().flatten().collect()
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
