//! The training loop: one stacked module per group of arms, mini-batches in a seeded order,
//! per-arm losses, divergence handling, progress events and cancellation.

mod group;
mod metrics;
mod optimizer;
mod parametrization;

use std::sync::atomic::{AtomicBool, Ordering};

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

pub use metrics::{EpochMetrics, ScoreAccumulator, SplitScore, cross_entropy};
pub use optimizer::{Optimizer, OptimizerKind, OptimizerSpec, zero_arm};
pub use parametrization::{MUP_BASE_WIDTH, Parametrization};

use crate::data::PreparedData;
use crate::diagnostics::{EpochDiagnostics, Histogram, RunDiagnostics};
use crate::init::ArmWeights;
use crate::model::ModelSpec;
use group::Group;

/// Training settings shared by every arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainSpec {
    pub optimizer: OptimizerSpec,
    pub lr: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// Standard or muP: per-layer learning rates and the readout's initialisation. Absent in
    /// files written before it (and skipped when standard), so old files read unchanged.
    #[serde(default, skip_serializing_if = "Parametrization::is_standard")]
    pub parametrization: Parametrization,
}

impl Default for TrainSpec {
    fn default() -> Self {
        Self {
            optimizer: OptimizerSpec::default(),
            lr: 1e-3,
            batch_size: 64,
            epochs: 20,
            parametrization: Parametrization::Standard,
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
    /// Weights and biases after the last step (zeros for an arm that diverged), when the
    /// trainer was asked to keep them.
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
    /// Copy every arm's final weights to the host ([`ArmOutcome::final_weights`]): only the
    /// tests that compare arms bit for bit need them, so a study leaves it off.
    pub keep_final_weights: bool,
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
    let mut run = Training::start(t, plans, device, emit);
    while run.advance(cancel) {}
    run.finish()
}

/// A group of arms training one epoch at a time, so that a thread can advance several groups in
/// turn: the repeats of a study then progress together, and a stopped study has every repeat
/// at about the same epoch instead of some finished and others not started.
pub struct Training<'a> {
    g: Group<'a>,
    /// Epochs finished (0: only the evaluation at initialization).
    epoch: usize,
    stopped: bool,
}

impl<'a> Training<'a> {
    /// Builds the stacked module and evaluates epoch 0.
    pub fn start(
        t: &Trainer<'a>,
        plans: &'a [ArmPlan],
        device: &'a Device,
        emit: &'a (dyn Fn(TrainEvent) + Sync),
    ) -> Self {
        let mut g = Group::new(t, plans, device, emit);
        g.initial_epoch();
        Self {
            g,
            epoch: 0,
            stopped: false,
        }
    }

    /// Trains the next epoch; false once every epoch is done or `cancel` stopped it between two
    /// steps (the interrupted epoch is not recorded).
    pub fn advance(&mut self, cancel: &AtomicBool) -> bool {
        let t = self.g.trainer();
        if self.stopped || self.epoch >= t.spec.epochs {
            return false;
        }
        let epoch = self.epoch + 1;
        let orders = self.g.batch_orders(epoch);
        let mut loss_sum = vec![0.0f64; orders.len()];
        let n_train = t.data.n_train();
        let batch = t.spec.batch_size.max(1);
        for start in (0..n_train).step_by(batch) {
            if cancel.load(Ordering::Relaxed) {
                self.stopped = true;
                return false;
            }
            let last_step = start + batch >= n_train;
            // Gradient norms are read at the first step (the gradient at initialization) and at
            // the last step of every epoch: two small reductions per epoch.
            let want_grad_norms =
                self.g.diag.is_some() && (last_step || (epoch == 1 && start == 0));
            self.g.step(
                epoch,
                &orders,
                start,
                batch.min(n_train - start),
                &mut loss_sum,
                want_grad_norms,
            );
        }
        self.g.end_epoch(epoch, &loss_sum);
        self.epoch = epoch;
        true
    }

    /// Epochs finished so far.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    pub fn finish(self) -> Vec<ArmOutcome> {
        self.g.finish()
    }
}
