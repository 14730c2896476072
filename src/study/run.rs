//! Running a study: its data prepared per repeat, its arms trained by the engine (one point),
//! their histories gathered in arm order.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rand::seq::SliceRandom;

use super::engine::{PointWork, item_count, train_points};
use super::summary::summarize;
use super::{
    Environment, RepeatMode, RunResult, StudyError, StudyResult, StudySpec, estimate_memory,
};
use crate::data::{DataSummary, LoadProgress, PreparedData, Table, prepare, prepare_split};
use crate::diagnostics::PROBE_ROWS;
use crate::rng::{derive_rng, stream};
use crate::train::{TrainEvent, steps_per_epoch};

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

/// Total optimizer steps across all groups, for progress bars: the engine's grouping of one
/// point (see `engine`). `data` is the study's fixed split; repeats with their own splits
/// train on about as many rows.
pub fn total_steps(spec: &StudySpec, data: &PreparedData, threads: usize) -> usize {
    let n_train = match spec.repeat_mode {
        RepeatMode::Folds(k) => (data.n_train() + data.n_val()) * (k - 1) / k,
        _ => data.n_train(),
    };
    let arms = spec.arms().len().max(1);
    let splits = spec.repeat_mode.datasets(spec.repeats).max(1);
    let chunk = arms.div_ceil(threads.clamp(1, arms)).max(1);
    let groups = splits * (arms / splits).max(1).div_ceil(chunk);
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

/// Trains `spec` where repeat r uses `datas[spec.repeat_mode.data_index(r)]`: one point of
/// the engine.
fn run_repeats(
    spec: &StudySpec,
    datas: &[PreparedData],
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyResult, StudyError> {
    spec.validate()?;
    let started = Instant::now();
    let threads = options.threads.clamp(1, spec.arms().len().max(1));
    let first = &datas[0];
    let memory = estimate_memory(spec, first.n_inputs, first.n_outputs(), threads);
    if !memory.fits() {
        return Err(StudyError::TooBig(memory));
    }
    let probes: Vec<Vec<f32>> = datas.iter().map(|d| probe_rows(d, spec.seed)).collect();
    let point = PointWork {
        spec,
        data_key: 0,
        datas,
        probes: &probes,
    };
    let points = std::slice::from_ref(&point);
    let outcomes = train_points(points, 0..item_count(points), threads, emit, cancel)?;
    let runs: Vec<RunResult> = outcomes.into_iter().map(|o| o.run).collect();
    Ok(study_result(spec, &first.summary, runs, threads, started))
}

/// A point's result from its runs (in arm order).
pub(crate) fn study_result(
    spec: &StudySpec,
    data: &DataSummary,
    runs: Vec<RunResult>,
    threads: usize,
    started: Instant,
) -> StudyResult {
    let completed = runs.iter().all(|r| {
        r.diverged
            || r.epochs
                .last()
                .is_some_and(|e| e.epoch == spec.train.epochs)
    }) && runs.len() == spec.arms().len();
    let summary = summarize(&spec.initializer_names(), &runs);
    StudyResult {
        spec: spec.clone(),
        data: data.clone(),
        runs,
        summary,
        environment: Environment::current(threads),
        wall_seconds: started.elapsed().as_secs_f64(),
        completed,
        verdict: None,
    }
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
