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
use crate::train::{ArmOutcome, ArmPlan, TrainSpec, Trainer, Training, steps_per_epoch};

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

/// Relative cost of training one item: its forward FLOPs per sample times the samples it sees.
fn item_cost(points: &[PointWork<'_>], it: &Item) -> f64 {
    let w = &points[it.point];
    let d = &w.datas[it.data];
    let flops = w.spec.model.forward_flops(d.n_inputs, d.n_outputs()) as f64;
    flops * (d.n_train() + d.n_val()) as f64 * w.spec.train.epochs.max(1) as f64
}

/// Groups of items that train stacked: the items of one bucket, cut into as many chunks as its
/// share of the total cost warrants (a bucket of deep networks may need several threads, a
/// shallow one none of its own), so threads finish together when depths differ. Returns each
/// group with its cost.
fn groups(points: &[PointWork<'_>], items: &[Item], threads: usize) -> Vec<(Vec<Item>, f64)> {
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
    let cost = |b: &Bucket| item_cost(points, &b.items[0]) * b.items.len() as f64;
    let total: f64 = buckets.iter().map(cost).sum();
    let target = total / threads.max(1) as f64;
    buckets
        .into_iter()
        .flat_map(|b| {
            let each = cost(&b) / b.items.len() as f64;
            let pieces = if target > 0.0 {
                ((cost(&b) / target - 1e-9).ceil() as usize).clamp(1, b.items.len())
            } else {
                1
            };
            let chunk = b.items.len().div_ceil(pieces);
            b.items
                .chunks(chunk)
                .map(|c| (c.to_vec(), each * c.len() as f64))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Which groups each worker trains: the longest group first, each to the least loaded worker
/// (LPT), so that a deep sweep's longest point does not end up alone at the end.
fn schedule(costs: &[f64], workers: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0.0f64; workers.max(1)];
    let mut plan = vec![Vec::new(); workers.max(1)];
    for g in order {
        let w = (0..load.len())
            .min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b)))
            .unwrap_or(0);
        load[w] += costs[g];
        plan[w].push(g);
    }
    plan
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
    let (groups, costs): (Vec<Vec<Item>>, Vec<f64>) =
        groups(points, &items, threads).into_iter().unzip();
    let workers = threads.clamp(1, groups.len().max(1));
    let plan = schedule(&costs, workers);
    let trained = std::thread::scope(|s| {
        let groups = &groups;
        let handles: Vec<_> = plan
            .iter()
            .enumerate()
            .map(|(w, mine)| {
                std::thread::Builder::new()
                    .name(format!("initlab-train-{w}"))
                    .spawn_scoped(s, move || train_worker(points, groups, mine, emit, cancel))
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            let h = h.map_err(|e| StudyError::Worker(e.to_string()))?;
            let joined = h
                .join()
                .map_err(|e| StudyError::Worker(panic_message(e.as_ref())))?;
            all.extend(joined);
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

/// A group ready to train: its arms' initial weights and the settings they share.
struct Setup<'a> {
    plans: Vec<ArmPlan>,
    trainer: Trainer<'a>,
    steps_per_epoch: usize,
}

/// Draws the initial weights of `group`'s arms (on the calling thread) and picks its settings.
fn setup<'a>(points: &[PointWork<'a>], group: &[Item]) -> Setup<'a> {
    let first = &points[group[0].point];
    let data = &first.datas[group[0].data];
    let probe = &first.probes[group[0].data];
    let spec = first.spec;
    let dims = spec.model.dims(data.n_inputs, data.n_outputs());
    let plans = group
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
    Setup {
        plans,
        trainer: Trainer {
            data,
            model: &spec.model,
            spec: &spec.train,
            seed: spec.seed,
            probe: spec.diagnostics.then_some(probe.as_slice()),
            keep_final_weights: false,
        },
        steps_per_epoch: steps_per_epoch(data.n_train(), spec.train.batch_size),
    }
}

/// Trains one worker's groups. Groups of the same point advance together, one epoch each in
/// turn (so the repeats of a study progress side by side); points follow one another (so a
/// sweep's points finish one by one). Returns (global index, outcome) per item.
fn train_worker(
    points: &[PointWork<'_>],
    groups: &[Vec<Item>],
    mine: &[usize],
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Vec<(usize, ItemOutcome)> {
    let mut mine = mine.to_vec();
    mine.sort_by_key(|&g| (groups[g][0].point, g));
    let mut out = Vec::new();
    for round in mine.chunk_by(|&a, &b| groups[a][0].point == groups[b][0].point) {
        let rounds: Vec<&[Item]> = round.iter().map(|&g| groups[g].as_slice()).collect();
        out.extend(train_round(points, &rounds, emit, cancel));
    }
    out
}

/// Trains `groups` side by side on this thread, epoch by epoch.
fn train_round(
    points: &[PointWork<'_>],
    groups: &[&[Item]],
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Vec<(usize, ItemOutcome)> {
    let setups: Vec<Setup<'_>> = groups.iter().map(|g| setup(points, g)).collect();
    let device = Device::flex();
    let mut seconds = vec![0.0f64; setups.len()];
    let mut timed = |k: usize, f: &mut dyn FnMut()| {
        let started = Instant::now();
        f();
        seconds[k] += started.elapsed().as_secs_f64();
    };
    let mut runs: Vec<Option<Training<'_>>> = Vec::with_capacity(setups.len());
    for (k, s) in setups.iter().enumerate() {
        let mut run = None;
        timed(k, &mut || {
            run = Some(Training::start(&s.trainer, &s.plans, &device, emit))
        });
        runs.push(run);
    }
    let mut active = true;
    while active {
        active = false;
        for (k, run) in runs.iter_mut().enumerate() {
            if let Some(r) = run {
                timed(k, &mut || active |= r.advance(cancel));
            }
        }
    }
    let mut out = Vec::new();
    for (k, (run, s)) in runs.into_iter().zip(&setups).enumerate() {
        let Some(run) = run else { continue };
        let steps = run.epochs_done() * s.steps_per_epoch;
        let seconds_per_step = (steps > 0).then(|| seconds[k] / steps as f64);
        let outcomes = run.finish();
        for ((it, plan), o) in groups[k].iter().zip(&s.plans).zip(outcomes) {
            out.push((it.global, outcome(it, plan, o, seconds_per_step)));
        }
    }
    out
}

fn outcome(it: &Item, plan: &ArmPlan, o: ArmOutcome, seconds_per_step: Option<f64>) -> ItemOutcome {
    ItemOutcome {
        global: it.global,
        run: RunResult {
            initializer: it.arm.initializer.to_string(),
            repeat: it.arm.repeat,
            diverged: o.diverged_epoch.is_some(),
            diverged_epoch: o.diverged_epoch,
            epochs: o.epochs,
            lsuv: plan.weights.lsuv.clone(),
            diagnostics: o.diagnostics,
        },
        seconds_per_step,
    }
}
