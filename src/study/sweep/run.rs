//! Running a sweep: one table per dataset, each point's data prepared once per dataset, every
//! (point, arm) trained by the engine, and each point's runs judged for trainability.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{Axis, DataEntry, Trainability, TrainedRule, trainability};
use crate::data::{DataSummary, LoadProgress, PreparedData, Table, guess_target};
use crate::study::engine::{ItemOutcome, PointWork, item_count, train_points};
use crate::study::run::study_result;
use crate::study::{
    Environment, MemoryEstimate, PointResult, RunOptions, RunResult, StudyError, StudyEvent,
    StudySpec, SweepResult, estimate_memory, prepare_repeats, probe_rows,
};
use crate::train::steps_per_epoch;

/// The datasets of a study: the `data` axis's entries, or the study's own.
pub fn data_entries(spec: &StudySpec) -> Vec<DataEntry> {
    let axis = spec.sweep.as_ref().and_then(|s| {
        s.axes.iter().find_map(|a| match a {
            Axis::Data(v) => Some(v.clone()),
            _ => None,
        })
    });
    axis.unwrap_or_else(|| {
        vec![DataEntry {
            data: spec.data.clone(),
            target: Some(spec.prepare.target.clone()),
        }]
    })
}

/// Loads every dataset of `spec` (relative paths resolved against `base`) and fills in the
/// targets the `data` axis left to guess. Returns the resolved spec and one table per entry of
/// [`data_entries`]. A file that fails names the axis and the value.
pub fn load_tables(
    spec: &StudySpec,
    base: Option<&Path>,
    progress: &mut dyn FnMut(LoadProgress),
) -> Result<(StudySpec, Vec<Table>), StudyError> {
    let mut resolved = spec.clone();
    let mut tables = Vec::new();
    let from_axis = spec
        .sweep
        .as_ref()
        .is_some_and(|s| s.axes.iter().any(|a| matches!(a, Axis::Data(_))));
    let mut entries = data_entries(spec);
    for e in &mut entries {
        let mut probe = spec.clone();
        probe.data = e.data.clone();
        let table = probe
            .data_source(base)
            .load(progress)
            .map_err(|err| match from_axis {
                true => StudyError::Invalid {
                    field: "sweep.data".into(),
                    message: format!("value '{}': {err}", e.data),
                },
                false => StudyError::Data(err),
            })?;
        if e.target.as_deref().is_none_or(|t| t.trim().is_empty()) {
            e.target = guess_target(&table).map(|g| g.column);
        }
        tables.push(table);
    }
    if let Some(axis) = resolved
        .sweep
        .as_mut()
        .and_then(|s| s.axes.iter_mut().find(|a| matches!(a, Axis::Data(_))))
    {
        *axis = Axis::Data(entries);
    }
    Ok((resolved, tables))
}

/// Everything a sweep needs before training: validated points and their data.
pub(super) struct Prepared {
    pub points: Vec<super::Point>,
    /// Per dataset: the prepared splits and their probe rows.
    pub datas: Vec<(Vec<PreparedData>, Vec<Vec<f32>>)>,
    /// Per point: which dataset.
    pub keys: Vec<usize>,
}

pub(super) fn prepare_points(spec: &StudySpec, tables: &[Table]) -> Result<Prepared, StudyError> {
    spec.validate()?;
    let entries = data_entries(spec);
    if entries.len() != tables.len() {
        return Err(StudyError::Invalid {
            field: "sweep.data".into(),
            message: format!("{} datasets but {} tables", entries.len(), tables.len()),
        });
    }
    let points = spec.points();
    let mut datas = Vec::with_capacity(tables.len());
    for (e, t) in entries.iter().zip(tables) {
        let mut s = spec.clone();
        s.sweep = None;
        s.data = e.data.clone();
        s.prepare.target = e.target.clone().unwrap_or_default();
        let prepared = prepare_repeats(&s, t).map_err(|err| match entries.len() {
            1 => err,
            _ => StudyError::Invalid {
                field: "sweep.data".into(),
                message: format!("value '{e}': {err}"),
            },
        })?;
        let probes = prepared.iter().map(|d| probe_rows(d, spec.seed)).collect();
        datas.push((prepared, probes));
    }
    let keys = points
        .iter()
        .map(|p| {
            entries
                .iter()
                .position(|e| e.data == p.spec.data)
                .unwrap_or(0)
        })
        .collect();
    Ok(Prepared {
        points,
        datas,
        keys,
    })
}

/// The memory of the whole grid: every point's networks may be alive at once (the engine's
/// groups hold at most ceil(networks / threads) each, one group per thread).
pub fn sweep_memory(spec: &StudySpec, sizes: &[(usize, usize)], threads: usize) -> MemoryEstimate {
    let mut total: Option<MemoryEstimate> = None;
    let keys = data_entries(spec);
    for p in spec.points() {
        let k = keys.iter().position(|e| e.data == p.spec.data).unwrap_or(0);
        let (n_in, n_out) = sizes.get(k).copied().unwrap_or((1, 1));
        let m = estimate_memory(&p.spec, n_in, n_out, threads);
        total = Some(match total {
            None => m,
            Some(t) => MemoryEstimate {
                bytes: t.bytes + m.bytes - threads as f64 * 16.0 * 1024.0 * 1024.0,
                available: t.available,
                networks: t.networks + m.networks,
                params_per_network: t.params_per_network.max(m.params_per_network),
            },
        });
    }
    total.unwrap_or_else(|| estimate_memory(spec, 1, 1, threads))
}

/// Trains every point of `spec` on `tables` (see [`load_tables`]). Stops between steps when
/// `cancel` is set: finished points stay complete, running ones keep their finished epochs.
pub fn run_sweep(
    spec: &StudySpec,
    tables: &[Table],
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<SweepResult, StudyError> {
    let started = Instant::now();
    let (metas, outcomes) = run_items(spec, tables, None, options, emit, cancel)?;
    let threads = options.threads.max(1);
    Ok(assemble(spec, &metas, outcomes, threads, started))
}

/// What a point's result needs besides its runs: its data's summary, the steps per epoch and
/// the chance level (kept in shard files, so that merging needs no data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointMeta {
    pub data: DataSummary,
    pub steps_per_epoch: usize,
    pub chance: Option<f64>,
}

/// Trains the items in `only` (every item with `None`) and returns every point's meta and the
/// outcomes, in item order.
pub fn run_items(
    spec: &StudySpec,
    tables: &[Table],
    only: Option<Range<usize>>,
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<(Vec<PointMeta>, Vec<ItemOutcome>), StudyError> {
    let prep = prepare_points(spec, tables)?;
    let threads = options.threads.max(1);
    let sizes: Vec<(usize, usize)> = prep
        .datas
        .iter()
        .map(|(d, _)| (d[0].n_inputs, d[0].n_outputs()))
        .collect();
    let memory = sweep_memory(spec, &sizes, threads);
    if !memory.fits() {
        return Err(StudyError::TooBig(memory));
    }
    let work: Vec<PointWork<'_>> = prep
        .points
        .iter()
        .zip(&prep.keys)
        .map(|(p, &k)| PointWork {
            spec: &p.spec,
            data_key: k,
            datas: &prep.datas[k].0,
            probes: &prep.datas[k].1,
        })
        .collect();
    let only = only.unwrap_or(0..item_count(&work));
    let outcomes = train_points(&work, only, threads, emit, cancel)?;
    let metas = work
        .iter()
        .map(|w| {
            let data = &w.datas[0];
            PointMeta {
                data: data.summary.clone(),
                steps_per_epoch: steps_per_epoch(data.n_train(), w.spec.train.batch_size),
                chance: majority_share(data),
            }
        })
        .collect();
    Ok((metas, outcomes))
}

/// The sweep's result from every item's outcome (`outcomes` in item order, each item once).
pub fn assemble(
    spec: &StudySpec,
    metas: &[PointMeta],
    outcomes: Vec<ItemOutcome>,
    threads: usize,
    started: Instant,
) -> SweepResult {
    let rule = spec.sweep.as_ref().map(|s| s.rule).unwrap_or_default();
    let mut outcomes = outcomes.into_iter();
    let mut points = Vec::with_capacity(metas.len());
    for (p, meta) in spec.points().into_iter().zip(metas) {
        let n = p.spec.arms().len();
        let taken: Vec<ItemOutcome> = outcomes.by_ref().take(n).collect();
        let judge = PointJudge {
            steps_per_epoch: meta.steps_per_epoch,
            epochs: p.spec.train.epochs,
            chance: meta.chance,
        };
        let judged = taken
            .iter()
            .map(|o| judge.judge(&o.run, &rule, o.seconds_per_step))
            .collect();
        let runs = taken.into_iter().map(|o| o.run).collect();
        points.push(PointResult {
            coords: p.coords,
            result: study_result(&p.spec, &meta.data, runs, threads, started),
            trainability: judged,
        });
    }
    let completed = points.iter().all(|p| p.result.completed);
    SweepResult {
        spec: spec.clone(),
        points,
        environment: Environment::current(threads),
        wall_seconds: started.elapsed().as_secs_f64(),
        completed,
        verdict: None,
    }
}

/// What judging a point's runs needs besides the runs: its steps per epoch, epochs and chance
/// level. A live view judges runs with it as they finish, as [`run_sweep`] does at the end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointJudge {
    pub steps_per_epoch: usize,
    pub epochs: usize,
    pub chance: Option<f64>,
}

impl PointJudge {
    fn of(spec: &StudySpec, data: &PreparedData) -> Self {
        Self {
            steps_per_epoch: steps_per_epoch(data.n_train(), spec.train.batch_size),
            epochs: spec.train.epochs,
            chance: majority_share(data),
        }
    }

    /// The trainability of `run` under `rule`.
    pub fn judge(
        &self,
        run: &RunResult,
        rule: &TrainedRule,
        seconds_per_step: Option<f64>,
    ) -> Trainability {
        let budget = (self.steps_per_epoch, self.epochs);
        trainability(run, rule, budget, self.chance, seconds_per_step)
    }
}

/// The sweep's points before training, for a view that fills them in as events arrive: each
/// point's result with one empty run per arm (in arm order), and its [`PointJudge`].
pub fn empty_points(
    spec: &StudySpec,
    tables: &[Table],
) -> Result<Vec<(PointResult, PointJudge)>, StudyError> {
    let prep = prepare_points(spec, tables)?;
    let started = Instant::now();
    Ok(prep
        .points
        .iter()
        .zip(&prep.keys)
        .map(|(p, &k)| {
            let data = &prep.datas[k].0[0];
            let runs = p.spec.arms().iter().map(RunResult::empty).collect();
            let point = PointResult {
                coords: p.coords.clone(),
                result: study_result(&p.spec, &data.summary, runs, 1, started),
                trainability: Vec::new(),
            };
            (point, PointJudge::of(&p.spec, data))
        })
        .collect())
}

/// Classification: the share of the most frequent class in the validation rows (what always
/// answering that class scores); `None` for regression.
fn majority_share(data: &PreparedData) -> Option<f64> {
    let counts = match &data.y_val {
        crate::data::Targets::Classes(labels) => {
            let mut c = vec![0usize; data.classes.len()];
            for &l in labels {
                if let Some(x) = c.get_mut(l as usize) {
                    *x += 1;
                }
            }
            c
        }
        crate::data::Targets::Values(_) => return None,
    };
    let n: usize = counts.iter().sum();
    let max = counts.iter().copied().max().unwrap_or(0);
    (n > 0).then(|| max as f64 / n as f64)
}
