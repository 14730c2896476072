//! The engine under studies and sweeps: work items (point, arm) in a fixed order, grouped so
//! that items of equal shape (same data, layer widths, activation and training settings) train
//! stacked in one module, and the groups spread over threads. An arm's numbers depend only on
//! (study seed, its point's settings, initializer, repeat), never on its group, so any grouping
//! (and any sharding of the items) gives identical results.
//!
//! Order of the items: point-major (the grid's row-major order), then the point's arms
//! (initializer-major, then repeat), as [`StudySpec::arms`] lists them.

use std::ops::Range;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use burn::tensor::Device;

use super::{Arm, RunResult, StudyError, StudyEvent, StudySpec, panic_message};
use crate::data::PreparedData;
use crate::init::init_arm;
use crate::train::{ArmOutcome, ArmPlan, TrainSpec, Trainer, steps_per_epoch};

/// One point ready to train: its study (no sweep) and its data, one prepared split per repeat
/// (or one shared by all repeats), with the probe rows of each.
pub struct PointWork<'a> {
    pub spec: &'a StudySpec,
    /// Which dataset the point trains on: points with the same key share `datas`.
    pub data_key: usize,
    pub datas: &'a [PreparedData],
    pub probes: &'a [Vec<f32>],
}

/// One work item: a point's arm, with its global index (events and results use it).
#[derive(Debug, Clone, Copy)]
struct Item {
    global: usize,
    point: usize,
    arm: Arm,
    /// Which of the point's prepared splits it trains on.
    data: usize,
}

/// What one item produced.
pub struct ItemOutcome {
    /// The item's index in the study's item order.
    pub global: usize,
    pub run: RunResult,
    /// Wall seconds per optimizer step of the item's group (all its arms together).
    pub seconds_per_step: Option<f64>,
}

/// Items with everything that makes their training differ except the initial weights equal.
struct Bucket {
    data_key: usize,
    data: usize,
    hidden: Vec<usize>,
    activation: crate::activation::Activation,
    train: TrainSpec,
    items: Vec<Item>,
}

/// The items of `points`, in order.
fn items(points: &[PointWork<'_>]) -> Vec<Item> {
    let mut out = Vec::new();
    for (p, w) in points.iter().enumerate() {
        for arm in w.spec.arms() {
            // One split for all, one per repeat, or one per distinct split.
            let data = w.spec.repeat_mode.data_index(arm.repeat) % w.datas.len().max(1);
            out.push(Item {
                global: out.len(),
                point: p,
                arm,
                data,
            });
        }
    }
    out
}

/// Groups of items that train stacked: items of one bucket, in chunks of at most
/// `ceil(items / threads)` so that one big bucket still uses every thread.
fn groups(points: &[PointWork<'_>], items: &[Item], threads: usize) -> Vec<Vec<Item>> {
    let mut buckets: Vec<Bucket> = Vec::new();
    for &it in items {
        let s = points[it.point].spec;
        let key = |b: &Bucket| {
            b.data_key == points[it.point].data_key
                && b.data == it.data
                && b.hidden == s.model.hidden
                && b.activation == s.model.activation
                && b.train == s.train
        };
        match buckets.iter_mut().find(|b| key(b)) {
            Some(b) => b.items.push(it),
            None => buckets.push(Bucket {
                data_key: points[it.point].data_key,
                data: it.data,
                hidden: s.model.hidden.clone(),
                activation: s.model.activation,
                train: s.train.clone(),
                items: vec![it],
            }),
        }
    }
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
    buckets
        .into_iter()
        .flat_map(|b| {
            b.items
                .chunks(chunk)
                .map(<[Item]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// How many work items `points` hold.
pub fn item_count(points: &[PointWork<'_>]) -> usize {
    points.iter().map(|p| p.spec.arms().len()).sum()
}

/// Trains the items of `points` whose index is in `only` (a shard; all of them with
/// `0..item_count`) on `threads` threads and returns one outcome per item, in item order.
/// Stops between steps when `cancel` is set, keeping every completed epoch.
pub fn train_points(
    points: &[PointWork<'_>],
    only: Range<usize>,
    threads: usize,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<ItemOutcome>, StudyError> {
    let items: Vec<Item> = items(points)
        .into_iter()
        .filter(|it| only.contains(&it.global))
        .collect();
    let groups = groups(points, &items, threads);
    let workers = threads.clamp(1, groups.len().max(1));
    let trained = std::thread::scope(|s| {
        let groups = &groups;
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                std::thread::Builder::new()
                    .name(format!("initlab-train-{w}"))
                    .spawn_scoped(s, move || {
                        (w..groups.len())
                            .step_by(workers)
                            .map(|g| train_group(points, &groups[g], emit, cancel))
                            .collect::<Vec<_>>()
                    })
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            let h = h.map_err(|e| StudyError::Worker(e.to_string()))?;
            let joined = h
                .join()
                .map_err(|e| StudyError::Worker(panic_message(e.as_ref())))?;
            all.extend(joined.into_iter().flatten());
        }
        Ok::<_, StudyError>(all)
    })?;
    let mut out: Vec<Option<ItemOutcome>> = (0..items.len()).map(|_| None).collect();
    for (global, o) in trained {
        if let Some(slot) = global.checked_sub(only.start).and_then(|k| out.get_mut(k)) {
            *slot = Some(o);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// Trains one group in its own stacked module; returns (global index, outcome) per item.
fn train_group(
    points: &[PointWork<'_>],
    group: &[Item],
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Vec<(usize, ItemOutcome)> {
    let first = &points[group[0].point];
    let data = &first.datas[group[0].data];
    let probe = &first.probes[group[0].data];
    let spec = first.spec;
    let dims = spec.model.dims(data.n_inputs, data.n_outputs());
    let plans: Vec<ArmPlan> = group
        .iter()
        .map(|it| {
            let s = points[it.point].spec;
            ArmPlan {
                arm: it.global,
                repeat: it.arm.repeat as u64,
                weights: init_arm(
                    &it.arm.initializer,
                    &dims,
                    s.model.init_settings(),
                    s.seed,
                    it.arm.repeat as u64,
                    it.arm.initializer.needs_data().then_some(probe.as_slice()),
                ),
            }
        })
        .collect();
    let trainer = Trainer {
        data,
        model: &spec.model,
        spec: &spec.train,
        seed: spec.seed,
        probe: spec.diagnostics.then_some(probe.as_slice()),
        keep_final_weights: false,
    };
    let started = Instant::now();
    let outcomes = trainer.train(&plans, &Device::flex(), emit, cancel);
    let seconds = started.elapsed().as_secs_f64();
    let epochs_done = outcomes
        .iter()
        .filter_map(|o| o.epochs.last().map(|e| e.epoch))
        .max()
        .unwrap_or(0);
    let steps = epochs_done * steps_per_epoch(data.n_train(), spec.train.batch_size);
    let seconds_per_step = (steps > 0).then(|| seconds / steps as f64);
    group
        .iter()
        .zip(plans)
        .zip(outcomes)
        .map(|((it, plan), o)| (it.global, outcome(it, plan, o, seconds_per_step)))
        .collect()
}

fn outcome(it: &Item, plan: ArmPlan, o: ArmOutcome, seconds_per_step: Option<f64>) -> ItemOutcome {
    ItemOutcome {
        global: it.global,
        run: RunResult {
            initializer: it.arm.initializer.to_string(),
            repeat: it.arm.repeat,
            diverged: o.diverged_epoch.is_some(),
            diverged_epoch: o.diverged_epoch,
            epochs: o.epochs,
            lsuv: plan.weights.lsuv,
            diagnostics: o.diagnostics,
        },
        seconds_per_step,
    }
}
