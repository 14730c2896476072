//! The training loop: one stacked module per group of arms, mini-batches in a seeded order,
//! per-arm losses, divergence handling, progress events and cancellation.

mod metrics;
mod optimizer;

use std::sync::atomic::{AtomicBool, Ordering};

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

pub use metrics::{EpochMetrics, ScoreAccumulator, SplitScore, cross_entropy};
pub use optimizer::{Optimizer, OptimizerKind, OptimizerSpec, zero_arm};

use crate::activation::Activation;
use crate::data::{PreparedData, Targets, Task};
use crate::init::ArmWeights;
use crate::model::{ModelSpec, StackedMlp, activate};
use crate::rng::{derive_rng, stream};

/// Training settings shared by every arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainSpec {
    pub optimizer: OptimizerSpec,
    pub lr: f64,
    pub batch_size: usize,
    pub epochs: usize,
}

impl Default for TrainSpec {
    fn default() -> Self {
        Self {
            optimizer: OptimizerSpec::default(),
            lr: 1e-3,
            batch_size: 64,
            epochs: 20,
        }
    }
}

/// One arm to train: its repeat (which fixes its batch order) and its initial weights.
#[derive(Debug, Clone)]
pub struct ArmPlan {
    /// Index of the arm in the study, echoed in events.
    pub arm: usize,
    pub repeat: u64,
    pub weights: ArmWeights,
}

/// What training produced for one arm.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArmOutcome {
    /// Epoch 0 (initialization) first; stops early if the arm diverged or training was cancelled.
    pub epochs: Vec<EpochMetrics>,
    /// The epoch during which the loss became non-finite.
    pub diverged_epoch: Option<usize>,
    /// Weights and biases after the last step (zeros for an arm that diverged).
    pub final_weights: Option<ArmWeights>,
}

/// Progress of a training run, sent as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEvent {
    /// An arm finished an epoch (epoch 0: evaluated at initialization).
    Epoch { arm: usize, metrics: EpochMetrics },
    /// An arm's loss became non-finite; it is frozen from now on.
    Diverged { arm: usize, epoch: usize },
    /// `steps` more optimizer steps were taken by some group.
    Steps { steps: usize },
}

/// Optimizer steps per epoch (the last partial batch is kept).
pub fn steps_per_epoch(n_train: usize, batch_size: usize) -> usize {
    n_train.div_ceil(batch_size.max(1))
}

/// Rows per evaluation chunk: bounds the activations held at once to ~16 MB.
fn eval_chunk(arms: usize, max_width: usize) -> usize {
    ((4usize << 20) / (arms * max_width).max(1)).clamp(16, 8192)
}

/// What every group of a study shares: the data, the model and the training settings.
#[derive(Clone, Copy)]
pub struct Trainer<'a> {
    pub data: &'a PreparedData,
    pub model: &'a ModelSpec,
    pub spec: &'a TrainSpec,
    /// The study seed (batch orders are keyed by it and each arm's repeat).
    pub seed: u64,
}

impl Trainer<'_> {
    /// Trains `plans` together in one stacked module on `device`; see [`train_arms`].
    pub fn train(
        &self,
        plans: &[ArmPlan],
        device: &Device,
        emit: &(dyn Fn(TrainEvent) + Sync),
        cancel: &AtomicBool,
    ) -> Vec<ArmOutcome> {
        train_arms(self, plans, device, emit, cancel)
    }
}

/// Trains `plans` together in one stacked module on `device`. Arms never interact; a group of one
/// gives the same numbers as the same arm inside any larger group.
pub fn train_arms(
    t: &Trainer<'_>,
    plans: &[ArmPlan],
    device: &Device,
    emit: &(dyn Fn(TrainEvent) + Sync),
    cancel: &AtomicBool,
) -> Vec<ArmOutcome> {
    let Trainer {
        data,
        model,
        spec,
        seed,
    } = *t;
    let arms = plans.len();
    let dims = model.dims(data.n_inputs, data.n_outputs());
    let act = model.activation;
    let arm_weights: Vec<&ArmWeights> = plans.iter().map(|p| &p.weights).collect();
    let module = StackedMlp::from_arms(&arm_weights, &dims, device);
    let mut params: Vec<Tensor<3>> = module
        .layers
        .iter()
        .flat_map(|l| [l.weight.val(), l.bias.val()])
        .collect();
    let mut optim = Optimizer::new(&spec.optimizer, spec.lr, params.len());
    let mut outcomes = vec![ArmOutcome::default(); arms];
    let mut alive = vec![true; arms];
    let mut mask = alive_mask(&alive, device);
    let n_in = data.n_inputs;
    let n_out = data.n_outputs();
    let n_train = data.n_train();
    let batch = spec.batch_size.max(1);

    // Epoch 0: the untrained networks.
    let init_train = evaluate(
        &params,
        &data.x_train,
        &data.y_train,
        n_in,
        n_out,
        act,
        &dims,
        device,
    );
    let init_val = evaluate(
        &params,
        &data.x_val,
        &data.y_val,
        n_in,
        n_out,
        act,
        &dims,
        device,
    );
    record_epoch(
        0,
        &init_train,
        &init_val,
        data.task,
        plans,
        &mut outcomes,
        &mut alive,
        emit,
    );
    for (a, _) in alive.iter().enumerate().filter(|(_, ok)| !**ok) {
        params = params.into_iter().map(|p| zero_arm(p, a)).collect();
    }
    mask = if alive.iter().all(|&x| x) {
        mask
    } else {
        alive_mask(&alive, device)
    };

    let mut x_host = vec![0.0f32; arms * batch * n_in];
    let mut y_host = vec![0.0f32; arms * batch * n_out];
    let mut steps_unreported = 0;
    'epochs: for epoch in 1..=spec.epochs {
        let orders: Vec<Vec<usize>> = plans
            .iter()
            .map(|p| {
                let mut order: Vec<usize> = (0..n_train).collect();
                order.shuffle(&mut derive_rng(
                    seed,
                    &[stream::SHUFFLE, p.repeat, epoch as u64],
                ));
                order
            })
            .collect();
        let mut loss_sum = vec![0.0f64; arms];
        for start in (0..n_train).step_by(batch) {
            if cancel.load(Ordering::Relaxed) {
                break 'epochs;
            }
            let b = batch.min(n_train - start);
            fill_batch(data, &orders, start, b, &mut x_host, &mut y_host);
            let x = Tensor::<3>::from_data(
                TensorData::new(x_host[..arms * b * n_in].to_vec(), [arms, b, n_in]),
                device,
            );
            let y = Tensor::<3>::from_data(
                TensorData::new(y_host[..arms * b * n_out].to_vec(), [arms, b, n_out]),
                device,
            );

            let tracked: Vec<Tensor<3>> = params
                .iter()
                .map(|p| p.clone().autodiff().require_grad())
                .collect();
            let out = forward(&tracked, x, act);
            let per_arm = loss(out, y, data.task); // [arms, 1, 1]
            let mut grads = (per_arm.clone() * mask.clone()).sum().backward();
            let losses = to_vec(per_arm.inner());

            optim.begin_step();
            params = params
                .into_iter()
                .zip(&tracked)
                .enumerate()
                .map(|(i, (p, t))| match t.grad_remove(&mut grads) {
                    Some(g) => optim.update(i, p, g),
                    None => p,
                })
                .collect();

            let mut newly_dead = false;
            for a in 0..arms {
                if !alive[a] {
                    continue;
                }
                if losses[a].is_finite() {
                    loss_sum[a] += losses[a] as f64 * b as f64;
                } else {
                    newly_dead = true;
                    kill(a, epoch, plans, &mut outcomes, &mut alive, emit);
                    params = params.into_iter().map(|p| zero_arm(p, a)).collect();
                    optim.reset_arm(a);
                }
            }
            if newly_dead {
                mask = alive_mask(&alive, device);
            }
            steps_unreported += 1;
            if steps_unreported >= 8 {
                emit(TrainEvent::Steps {
                    steps: steps_unreported,
                });
                steps_unreported = 0;
            }
        }
        let train: Vec<SplitScore> = loss_sum
            .iter()
            .map(|&s| SplitScore {
                loss: s / n_train as f64,
                score: f64::NAN,
            })
            .collect();
        let val = evaluate(
            &params,
            &data.x_val,
            &data.y_val,
            n_in,
            n_out,
            act,
            &dims,
            device,
        );
        let before: Vec<bool> = alive.clone();
        record_epoch(
            epoch,
            &train,
            &val,
            data.task,
            plans,
            &mut outcomes,
            &mut alive,
            emit,
        );
        for (a, (was, is)) in before.iter().zip(alive.clone()).enumerate() {
            if *was && !is {
                params = params.into_iter().map(|p| zero_arm(p, a)).collect();
                optim.reset_arm(a);
                mask = alive_mask(&alive, device);
            }
        }
    }
    if steps_unreported > 0 {
        emit(TrainEvent::Steps {
            steps: steps_unreported,
        });
    }
    let host: Vec<Vec<f32>> = params.into_iter().map(to_vec).collect();
    for (a, outcome) in outcomes.iter_mut().enumerate() {
        let slice = |t: &Vec<f32>| {
            let per_arm = t.len() / arms;
            t[a * per_arm..(a + 1) * per_arm].to_vec()
        };
        outcome.final_weights = Some(ArmWeights {
            weights: host.iter().step_by(2).map(slice).collect(),
            biases: host.iter().skip(1).step_by(2).map(slice).collect(),
            lsuv: None,
        });
    }
    outcomes
}

/// Forward pass over explicit stacked tensors `[w0, b0, w1, b1, ...]`.
fn forward(params: &[Tensor<3>], x: Tensor<3>, act: Activation) -> Tensor<3> {
    let layers = params.len() / 2;
    let mut h = x;
    for l in 0..layers {
        let z = h.matmul(params[2 * l].clone()) + params[2 * l + 1].clone();
        h = if l + 1 < layers { activate(z, act) } else { z };
    }
    h
}

/// Per-arm mean loss `[arms, 1, 1]`: softmax cross-entropy against one-hot targets, or MSE.
fn loss(out: Tensor<3>, y: Tensor<3>, task: Task) -> Tensor<3> {
    match task {
        Task::Classification => log_softmax(out, 2).mul(y).sum_dim(2).mean_dim(1).neg(),
        Task::Regression => (out - y).square().mean_dim(1),
    }
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap_or_default()
}

fn alive_mask(alive: &[bool], device: &Device) -> Tensor<3> {
    let m: Vec<f32> = alive.iter().map(|&a| if a { 1.0 } else { 0.0 }).collect();
    Tensor::from_data(TensorData::new(m, [alive.len(), 1, 1]), device)
}

/// Copies the batch rows of each arm's order into the host buffers.
fn fill_batch(
    data: &PreparedData,
    orders: &[Vec<usize>],
    start: usize,
    b: usize,
    x: &mut [f32],
    y: &mut [f32],
) {
    let n_in = data.n_inputs;
    let n_out = data.n_outputs();
    for (a, order) in orders.iter().enumerate() {
        for (i, &row) in order[start..start + b].iter().enumerate() {
            let dst = (a * b + i) * n_in;
            x[dst..dst + n_in].copy_from_slice(&data.x_train[row * n_in..(row + 1) * n_in]);
            let yd = (a * b + i) * n_out;
            match &data.y_train {
                Targets::Classes(c) => {
                    y[yd..yd + n_out].fill(0.0);
                    y[yd + c[row] as usize] = 1.0;
                }
                Targets::Values(v) => y[yd] = v[row],
            }
        }
    }
}

/// Loss and score of every arm over a split, in chunks, without autodiff.
#[allow(clippy::too_many_arguments)]
fn evaluate(
    params: &[Tensor<3>],
    x: &[f32],
    y: &Targets,
    n_in: usize,
    n_out: usize,
    act: Activation,
    dims: &[usize],
    device: &Device,
) -> Vec<SplitScore> {
    let arms = params.first().map_or(0, |p| p.dims()[0]);
    let rows = y.len();
    let chunk = eval_chunk(arms, dims.iter().copied().max().unwrap_or(1));
    let mut acc = ScoreAccumulator::new(arms);
    for start in (0..rows).step_by(chunk) {
        let n = chunk.min(rows - start);
        let xt = Tensor::<3>::from_data(
            TensorData::new(x[start * n_in..(start + n) * n_in].to_vec(), [1, n, n_in]),
            device,
        );
        let out = to_vec(forward(params, xt, act));
        acc.add(&out, n_out, y, start, n);
    }
    acc.finish(y)
}

#[allow(clippy::too_many_arguments)]
fn record_epoch(
    epoch: usize,
    train: &[SplitScore],
    val: &[SplitScore],
    task: Task,
    plans: &[ArmPlan],
    outcomes: &mut [ArmOutcome],
    alive: &mut [bool],
    emit: &(dyn Fn(TrainEvent) + Sync),
) {
    for a in 0..plans.len() {
        if !alive[a] {
            continue;
        }
        if !(train[a].loss.is_finite() && val[a].loss.is_finite()) {
            kill(a, epoch, plans, outcomes, alive, emit);
            continue;
        }
        let metrics = EpochMetrics {
            epoch,
            train_loss: train[a].loss,
            val_loss: val[a].loss,
            val_accuracy: (task == Task::Classification).then_some(val[a].score),
            val_r2: (task == Task::Regression).then_some(val[a].score),
        };
        outcomes[a].epochs.push(metrics.clone());
        emit(TrainEvent::Epoch {
            arm: plans[a].arm,
            metrics,
        });
    }
}

fn kill(
    a: usize,
    epoch: usize,
    plans: &[ArmPlan],
    outcomes: &mut [ArmOutcome],
    alive: &mut [bool],
    emit: &(dyn Fn(TrainEvent) + Sync),
) {
    alive[a] = false;
    outcomes[a].diverged_epoch = Some(epoch);
    emit(TrainEvent::Diverged {
        arm: plans[a].arm,
        epoch,
    });
}
