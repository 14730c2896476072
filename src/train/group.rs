//! One group of arms while it trains: the stacked parameters, the optimizer, per-arm liveness,
//! and the steps of an epoch (its diagnostics are in [`diagnostics`]).

mod diagnostics;

use diagnostics::{Diagnoser, arm_norms};

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use rand::seq::SliceRandom;

use super::{
    ArmOutcome, ArmPlan, EpochMetrics, Optimizer, ScoreAccumulator, SplitScore, TrainEvent,
    Trainer, zero_arm,
};
use crate::activation::Activation;
use crate::data::{PreparedData, Targets, Task};
use crate::init::ArmWeights;
use crate::model::host::to_vec;
use crate::model::layout::{self, Part};
use crate::model::{StackedMlp, forward};
use crate::rng::{derive_rng, stream};

/// Rows per evaluation chunk: bounds the activations held at once to ~16 MB.
fn eval_chunk(arms: usize, max_width: usize) -> usize {
    ((4usize << 20) / (arms * max_width).max(1)).clamp(16, 8192)
}

/// The state of one group of arms while it trains.
pub(super) struct Group<'a> {
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
    pub(super) diag: Option<Diagnoser>,
}

impl<'a> Group<'a> {
    pub(super) fn new(
        t: &Trainer<'a>,
        plans: &'a [ArmPlan],
        device: &'a Device,
        emit: &'a (dyn Fn(TrainEvent) + Sync),
    ) -> Self {
        let arms = plans.len();
        let dims = t.model.dims(t.data.n_inputs, t.data.n_outputs());
        let arm_weights: Vec<&ArmWeights> = plans.iter().map(|p| &p.weights).collect();
        let mut params = StackedMlp::from_arms(&arm_weights, &dims, device).params();
        let para = t.spec.parametrization;
        if para.zero_readout() {
            let readout =
                layout::index(layout::layers(params.len()).saturating_sub(1), Part::Weight);
            if let Some(w) = params.get_mut(readout) {
                *w = w.zeros_like();
            }
        }
        let diag = t.probe.map(|rows| Diagnoser::new(rows, t, device));
        Self {
            t: *t,
            plans,
            device,
            emit,
            optim: Optimizer::new(&t.spec.optimizer, t.spec.lr, params.len())
                .with_multipliers(para.lr_multipliers(&dims)),
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

    /// The shared settings this group trains with.
    pub(super) fn trainer(&self) -> Trainer<'a> {
        self.t
    }

    /// Epoch 0: the untrained networks on the whole training and validation sets.
    pub(super) fn initial_epoch(&mut self) {
        let d = self.t.data;
        let train = self.evaluate(&d.x_train, &d.y_train);
        let val = self.evaluate(&d.x_val, &d.y_val);
        self.record(0, &train, &val);
        self.initial_diagnostics();
    }

    pub(super) fn batch_orders(&self, epoch: usize) -> Vec<Vec<usize>> {
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
    pub(super) fn step(
        &mut self,
        epoch: usize,
        orders: &[Vec<usize>],
        start: usize,
        b: usize,
        loss_sum: &mut [f64],
        want_grad_norms: bool,
    ) {
        let (losses, grads) = self.forward_backward(orders, start, b);
        let norms = self.apply_gradients(grads, want_grad_norms);
        if let Some(norms) = norms {
            if epoch == 1 && start == 0 {
                // The first gradient is the gradient at initialization: complete epoch 0.
                self.finish_epoch0_diagnostics(Some(&norms));
            }
            if let Some(diag) = &mut self.diag {
                diag.grad_norms = Some(norms);
            }
        }
        self.add_losses(epoch, &losses, b, loss_sum);
        self.steps_unreported += 1;
        if self.steps_unreported >= 8 {
            (self.emit)(TrainEvent::Steps {
                steps: self.steps_unreported,
            });
            self.steps_unreported = 0;
        }
    }

    /// The batch's per-arm losses and every parameter's gradient (frozen arms' losses are
    /// masked out, so they add nothing).
    fn forward_backward(
        &self,
        orders: &[Vec<usize>],
        start: usize,
        b: usize,
    ) -> (Vec<f32>, Vec<Option<Tensor<3>>>) {
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
        let grads = tracked.iter().map(|t| t.grad_remove(&mut grads)).collect();
        // Dropping the tracked copies (at return) leaves each parameter's buffer with a single
        // owner, so the optimizer updates it in place instead of copying it.
        (losses, grads)
    }

    /// One optimizer update of every parameter; with `want_norms`, also each layer's per-arm
    /// weight-gradient norm (`[layer][arm]`).
    fn apply_gradients(
        &mut self,
        grads: Vec<Option<Tensor<3>>>,
        want_norms: bool,
    ) -> Option<Vec<Vec<f64>>> {
        let want_norms = want_norms && self.diag.is_some();
        self.optim.begin_step();
        let mut norms = Vec::new();
        let params = std::mem::take(&mut self.params);
        self.params = params
            .into_iter()
            .zip(grads)
            .enumerate()
            .map(|(i, (p, g))| match g {
                Some(g) => {
                    if want_norms && layout::part_of(i).1 == Part::Weight {
                        norms.push(arm_norms(&g));
                    }
                    self.optim.update(i, p, g)
                }
                None => p,
            })
            .collect();
        want_norms.then_some(norms)
    }

    /// Adds the batch's losses to the epoch sums; an arm whose loss is not finite is frozen.
    fn add_losses(&mut self, epoch: usize, losses: &[f32], b: usize, loss_sum: &mut [f64]) {
        let mut newly_dead = false;
        for a in 0..self.arms() {
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
    }

    pub(super) fn end_epoch(&mut self, epoch: usize, loss_sum: &[f64]) {
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
        self.epoch_diagnostics(epoch);
    }

    pub(super) fn finish(mut self) -> Vec<ArmOutcome> {
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
        if self.t.keep_final_weights {
            self.keep_final_weights();
        }
        self.outcomes
    }

    /// Copies every arm's final weights to the host (tests compare them bit for bit).
    fn keep_final_weights(&mut self) {
        let arms = self.arms();
        let host: Vec<Vec<f32>> = self.params.iter().cloned().map(to_vec).collect();
        let (weights, biases) = layout::split(&host);
        for (a, outcome) in self.outcomes.iter_mut().enumerate() {
            let slice = |t: &Vec<f32>| {
                let per_arm = t.len() / arms;
                t[a * per_arm..(a + 1) * per_arm].to_vec()
            };
            outcome.final_weights = Some(ArmWeights {
                weights: weights.iter().map(slice).collect(),
                biases: biases.iter().map(slice).collect(),
                lsuv: None,
            });
        }
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
