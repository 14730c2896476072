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
use crate::diagnostics::{Captured, EpochDiagnostics, Histogram, Probe, RunDiagnostics};
use crate::init::ArmWeights;
use crate::model::host::to_vec;
use crate::model::{ModelSpec, StackedMlp, forward};
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
    /// Per-layer diagnostics, when the trainer had a probe batch.
    pub diagnostics: Option<RunDiagnostics>,
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
    /// An arm's per-layer diagnostics after an epoch (epoch 0: at initialization).
    Diagnostics {
        arm: usize,
        diagnostics: EpochDiagnostics,
    },
    /// An arm's activation histograms per hidden layer at initialization.
    InitialHistograms {
        arm: usize,
        histograms: Vec<Histogram>,
    },
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
    /// Row-major training rows to measure diagnostics on; `None` turns diagnostics off.
    pub probe: Option<&'a [f32]>,
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
    let mut g = Group::new(t, plans, device, emit);
    g.initial_epoch();
    'epochs: for epoch in 1..=t.spec.epochs {
        let orders = g.batch_orders(epoch);
        let mut loss_sum = vec![0.0f64; plans.len()];
        let n_train = t.data.n_train();
        let batch = t.spec.batch_size.max(1);
        for start in (0..n_train).step_by(batch) {
            if cancel.load(Ordering::Relaxed) {
                break 'epochs;
            }
            let last_step = start + batch >= n_train;
            // Gradient norms are read at the first step (the gradient at initialization) and at
            // the last step of every epoch: two small reductions per epoch.
            let want_grad_norms = g.diag.is_some() && (last_step || (epoch == 1 && start == 0));
            g.step(
                epoch,
                &orders,
                start,
                batch.min(n_train - start),
                &mut loss_sum,
                want_grad_norms,
            );
        }
        g.end_epoch(epoch, &loss_sum);
    }
    g.finish()
}

/// The state of one group of arms while it trains.
struct Group<'a> {
    t: Trainer<'a>,
    plans: &'a [ArmPlan],
    device: &'a Device,
    emit: &'a (dyn Fn(TrainEvent) + Sync),
    dims: Vec<usize>,
    params: Vec<Tensor<3>>,
    optim: Optimizer,
    outcomes: Vec<ArmOutcome>,
    alive: Vec<bool>,
    /// `[arms, 1, 1]`: 1 for live arms, 0 for frozen ones (their loss adds no gradient).
    mask: Tensor<3>,
    steps_unreported: usize,
    diag: Option<Diagnoser>,
}

/// Diagnostics state: the probe and the gradient norms waiting for their epoch's record.
struct Diagnoser {
    probe: Probe,
    /// `[layer][arm]` weight-gradient norms of the latest measured step.
    grad_norms: Option<Vec<Vec<f64>>>,
    last_capture: Option<Captured>,
    /// Epoch 0 waits for the first gradient.
    epoch0_pending: bool,
}

impl<'a> Group<'a> {
    fn new(
        t: &Trainer<'a>,
        plans: &'a [ArmPlan],
        device: &'a Device,
        emit: &'a (dyn Fn(TrainEvent) + Sync),
    ) -> Self {
        let arms = plans.len();
        let dims = t.model.dims(t.data.n_inputs, t.data.n_outputs());
        let arm_weights: Vec<&ArmWeights> = plans.iter().map(|p| &p.weights).collect();
        let params = StackedMlp::from_arms(&arm_weights, &dims, device).params();
        let diag = t.probe.map(|rows| Diagnoser {
            probe: Probe::new(rows, t.data.n_inputs, t.model.activation, device),
            grad_norms: None,
            last_capture: None,
            epoch0_pending: true,
        });
        Self {
            t: *t,
            plans,
            device,
            emit,
            optim: Optimizer::new(&t.spec.optimizer, t.spec.lr, params.len()),
            params,
            dims,
            outcomes: vec![ArmOutcome::default(); arms],
            alive: vec![true; arms],
            mask: alive_mask(&vec![true; arms], device),
            steps_unreported: 0,
            diag,
        }
    }

    fn arms(&self) -> usize {
        self.plans.len()
    }

    /// Epoch 0: the untrained networks on the whole training and validation sets.
    fn initial_epoch(&mut self) {
        let d = self.t.data;
        let train = self.evaluate(&d.x_train, &d.y_train);
        let val = self.evaluate(&d.x_val, &d.y_val);
        self.record(0, &train, &val);
        if let Some(diag) = &mut self.diag {
            let c = diag.probe.capture(&self.params);
            let hists = diag.probe.histograms(&c, self.plans.len());
            for ((o, h), p) in self.outcomes.iter_mut().zip(hists).zip(self.plans) {
                (self.emit)(TrainEvent::InitialHistograms {
                    arm: p.arm,
                    histograms: h.clone(),
                });
                o.diagnostics
                    .get_or_insert_with(Default::default)
                    .histograms_init = h;
            }
            diag.last_capture = Some(c);
        }
    }

    fn batch_orders(&self, epoch: usize) -> Vec<Vec<usize>> {
        self.plans
            .iter()
            .map(|p| {
                let mut order: Vec<usize> = (0..self.t.data.n_train()).collect();
                order.shuffle(&mut derive_rng(
                    self.t.seed,
                    &[stream::SHUFFLE, p.repeat, epoch as u64],
                ));
                order
            })
            .collect()
    }

    /// One optimizer step on rows `orders[a][start..start + b]` of every arm.
    fn step(
        &mut self,
        epoch: usize,
        orders: &[Vec<usize>],
        start: usize,
        b: usize,
        loss_sum: &mut [f64],
        want_grad_norms: bool,
    ) {
        let arms = self.arms();
        let (n_in, n_out) = (self.t.data.n_inputs, self.t.data.n_outputs());
        let (xb, yb) = gather_batch(self.t.data, orders, start, b);
        let x = Tensor::<3>::from_data(TensorData::new(xb, [arms, b, n_in]), self.device);
        let y = Tensor::<3>::from_data(TensorData::new(yb, [arms, b, n_out]), self.device);

        let tracked: Vec<Tensor<3>> = self
            .params
            .iter()
            .map(|p| p.clone().autodiff().require_grad())
            .collect();
        let out = forward(&tracked, x, self.t.model.activation);
        let per_arm = loss(out, y, self.t.data.task);
        let mut grads = (per_arm.clone() * self.mask.clone()).sum().backward();
        let losses = to_vec(per_arm.inner());

        let grads: Vec<Option<Tensor<3>>> =
            tracked.iter().map(|t| t.grad_remove(&mut grads)).collect();
        // Dropping the tracked copies leaves each parameter's buffer with a single owner, so the
        // optimizer updates it in place instead of copying it.
        drop(tracked);

        self.optim.begin_step();
        let mut norms = Vec::new();
        let params = std::mem::take(&mut self.params);
        self.params = params
            .into_iter()
            .zip(grads)
            .enumerate()
            .map(|(i, (p, g))| match g {
                Some(g) => {
                    if want_grad_norms && i % 2 == 0 {
                        norms.push(
                            to_vec(g.clone().square().sum_dim(2).sum_dim(1))
                                .iter()
                                .map(|&v| (v as f64).sqrt())
                                .collect(),
                        );
                    }
                    self.optim.update(i, p, g)
                }
                None => p,
            })
            .collect();
        if want_grad_norms && self.diag.is_some() {
            if epoch == 1 && start == 0 {
                // The first gradient is the gradient at initialization: complete epoch 0.
                self.finish_epoch0_diagnostics(Some(&norms));
            }
            if let Some(diag) = &mut self.diag {
                diag.grad_norms = Some(norms);
            }
        }

        let mut newly_dead = false;
        for a in 0..arms {
            if !self.alive[a] {
                continue;
            }
            if losses[a].is_finite() {
                loss_sum[a] += losses[a] as f64 * b as f64;
            } else {
                newly_dead = true;
                self.kill(a, epoch);
            }
        }
        if newly_dead {
            self.mask = alive_mask(&self.alive, self.device);
        }
        self.steps_unreported += 1;
        if self.steps_unreported >= 8 {
            (self.emit)(TrainEvent::Steps {
                steps: self.steps_unreported,
            });
            self.steps_unreported = 0;
        }
    }

    /// Records epoch 0's diagnostics once the first gradient is known (or without it, when
    /// training stopped before the first step).
    fn finish_epoch0_diagnostics(&mut self, norms: Option<&[Vec<f64>]>) {
        let initial = self.params_before_first_step();
        let Some(diag) = &mut self.diag else { return };
        if !diag.epoch0_pending {
            return;
        }
        diag.epoch0_pending = false;
        let Some(c) = &diag.last_capture else { return };
        let (weights, biases) = host_params(&initial);
        let stats = diag.probe.stats(0, c, &weights, &biases, &self.dims, norms);
        self.push_diagnostics(stats);
    }

    /// Epoch 0's parameters: the arms' initial weights, still on the host in the plans.
    fn params_before_first_step(&self) -> Vec<Vec<f32>> {
        let layers = self.dims.len() - 1;
        (0..2 * layers)
            .map(|i| {
                self.plans
                    .iter()
                    .flat_map(|p| {
                        if i % 2 == 0 {
                            p.weights.weights[i / 2].iter()
                        } else {
                            p.weights.biases[i / 2].iter()
                        }
                    })
                    .copied()
                    .collect()
            })
            .collect()
    }

    fn push_diagnostics(&mut self, stats: Vec<EpochDiagnostics>) {
        for (a, s) in stats.into_iter().enumerate() {
            if !self.alive[a] {
                continue;
            }
            (self.emit)(TrainEvent::Diagnostics {
                arm: self.plans[a].arm,
                diagnostics: s.clone(),
            });
            self.outcomes[a]
                .diagnostics
                .get_or_insert_with(Default::default)
                .epochs
                .push(s);
        }
    }

    fn end_epoch(&mut self, epoch: usize, loss_sum: &[f64]) {
        let n_train = self.t.data.n_train() as f64;
        let train: Vec<SplitScore> = loss_sum
            .iter()
            .map(|&s| SplitScore {
                loss: s / n_train,
                score: f64::NAN,
            })
            .collect();
        let d = self.t.data;
        let val = self.evaluate(&d.x_val, &d.y_val);
        self.record(epoch, &train, &val);
        if self.diag.is_some() {
            let host = self.params.iter().cloned().map(to_vec).collect::<Vec<_>>();
            let (weights, biases) = host_params(&host);
            if let Some(diag) = &mut self.diag {
                let c = diag.probe.capture(&self.params);
                let stats = diag.probe.stats(
                    epoch,
                    &c,
                    &weights,
                    &biases,
                    &self.dims,
                    diag.grad_norms.as_deref(),
                );
                diag.last_capture = Some(c);
                self.push_diagnostics(stats);
            }
        }
    }

    fn finish(mut self) -> Vec<ArmOutcome> {
        self.finish_epoch0_diagnostics(None);
        if self.steps_unreported > 0 {
            (self.emit)(TrainEvent::Steps {
                steps: self.steps_unreported,
            });
        }
        if let Some(diag) = &self.diag
            && let Some(c) = &diag.last_capture
        {
            let hists = diag.probe.histograms(c, self.plans.len());
            for (o, h) in self.outcomes.iter_mut().zip(hists) {
                if o.diverged_epoch.is_none() {
                    o.diagnostics
                        .get_or_insert_with(Default::default)
                        .histograms_final = h;
                }
            }
        }
        let arms = self.arms();
        let host: Vec<Vec<f32>> = self.params.iter().cloned().map(to_vec).collect();
        for (a, outcome) in self.outcomes.iter_mut().enumerate() {
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
        self.outcomes
    }

    /// Freezes arm `a`: marked diverged, its weights and optimizer state zeroed so it stays finite.
    fn kill(&mut self, a: usize, epoch: usize) {
        self.alive[a] = false;
        self.outcomes[a].diverged_epoch = Some(epoch);
        (self.emit)(TrainEvent::Diverged {
            arm: self.plans[a].arm,
            epoch,
        });
        let params = std::mem::take(&mut self.params);
        self.params = params.into_iter().map(|p| zero_arm(p, a)).collect();
        self.optim.reset_arm(a, self.plans.len());
    }

    fn evaluate(&self, x: &[f32], y: &Targets) -> Vec<SplitScore> {
        evaluate(
            &self.params,
            x,
            y,
            self.t.data.n_inputs,
            self.t.data.n_outputs(),
            self.t.model.activation,
            &self.dims,
            self.device,
        )
    }

    /// Records an epoch for every live arm; an arm whose losses are not finite is frozen.
    fn record(&mut self, epoch: usize, train: &[SplitScore], val: &[SplitScore]) {
        let mut newly_dead = false;
        for a in 0..self.arms() {
            if !self.alive[a] {
                continue;
            }
            if !(train[a].loss.is_finite() && val[a].loss.is_finite()) {
                self.kill(a, epoch);
                newly_dead = true;
                continue;
            }
            let classification = self.t.data.task == Task::Classification;
            let metrics = EpochMetrics {
                epoch,
                train_loss: train[a].loss,
                val_loss: val[a].loss,
                val_accuracy: classification.then_some(val[a].score),
                val_r2: (!classification).then_some(val[a].score),
            };
            self.outcomes[a].epochs.push(metrics.clone());
            (self.emit)(TrainEvent::Epoch {
                arm: self.plans[a].arm,
                metrics,
            });
        }
        if newly_dead {
            self.mask = alive_mask(&self.alive, self.device);
        }
    }
}

/// Splits flat host parameters `[w0, b0, w1, b1, ...]` into weights and biases.
fn host_params(host: &[Vec<f32>]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    (
        host.iter().step_by(2).cloned().collect(),
        host.iter().skip(1).step_by(2).cloned().collect(),
    )
}

/// Per-arm mean loss `[arms, 1, 1]`: softmax cross-entropy against one-hot targets, or MSE.
fn loss(out: Tensor<3>, y: Tensor<3>, task: Task) -> Tensor<3> {
    match task {
        Task::Classification => log_softmax(out, 2).mul(y).sum_dim(2).mean_dim(1).neg(),
        Task::Regression => (out - y).square().mean_dim(1),
    }
}

fn alive_mask(alive: &[bool], device: &Device) -> Tensor<3> {
    let m: Vec<f32> = alive.iter().map(|&a| if a { 1.0 } else { 0.0 }).collect();
    Tensor::from_data(TensorData::new(m, [alive.len(), 1, 1]), device)
}

/// The batch rows `orders[a][start..start + b]` of every arm: inputs `[arms, b, n_in]` and
/// one-hot (or value) targets `[arms, b, n_out]`, built straight into the tensors' buffers.
fn gather_batch(
    data: &PreparedData,
    orders: &[Vec<usize>],
    start: usize,
    b: usize,
) -> (Vec<f32>, Vec<f32>) {
    let n_in = data.n_inputs;
    let n_out = data.n_outputs();
    let mut x = Vec::with_capacity(orders.len() * b * n_in);
    let mut y = vec![0.0f32; orders.len() * b * n_out];
    for (a, order) in orders.iter().enumerate() {
        for (i, &row) in order[start..start + b].iter().enumerate() {
            x.extend_from_slice(&data.x_train[row * n_in..(row + 1) * n_in]);
            let yd = (a * b + i) * n_out;
            match &data.y_train {
                Targets::Classes(c) => y[yd + c[row] as usize] = 1.0,
                Targets::Values(v) => y[yd] = v[row],
            }
        }
    }
    (x, y)
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
