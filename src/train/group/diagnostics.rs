//! A group's per-layer diagnostics: the probe's captures at initialization and after every
//! epoch, the weight-gradient norms, and their records in the arms' outcomes.

use burn::tensor::{Device, Tensor};

use super::Group;
use crate::diagnostics::{Captured, EpochDiagnostics, Probe};
use crate::init::ArmWeights;
use crate::model::host::to_vec;
use crate::model::layout;
use crate::train::{TrainEvent, Trainer};

/// Diagnostics state: the probe and the gradient norms waiting for their epoch's record.
pub(in crate::train) struct Diagnoser {
    pub(super) probe: Probe,
    /// `[layer][arm]` weight-gradient norms of the latest measured step.
    pub(super) grad_norms: Option<Vec<Vec<f64>>>,
    pub(super) last_capture: Option<Captured>,
    /// Epoch 0 waits for the first gradient.
    pub(super) epoch0_pending: bool,
}

impl Diagnoser {
    pub(super) fn new(rows: &[f32], t: &Trainer<'_>, device: &Device) -> Self {
        Self {
            probe: Probe::new(rows, t.data.n_inputs, t.model.activation, device),
            grad_norms: None,
            last_capture: None,
            epoch0_pending: true,
        }
    }
}

impl Group<'_> {
    /// Epoch 0's activations at initialization: the histograms, and the capture that epoch
    /// 0's statistics use once the first gradient is known.
    pub(super) fn initial_diagnostics(&mut self) {
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

    /// The end of `epoch`'s statistics, with the gradient norms of its last measured step.
    pub(super) fn epoch_diagnostics(&mut self, epoch: usize) {
        if self.diag.is_some() {
            let host = self.params.iter().cloned().map(to_vec).collect::<Vec<_>>();
            let (weights, biases) = layout::split(&host);
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

    /// Records epoch 0's diagnostics once the first gradient is known (or without it, when
    /// training stopped before the first step).
    pub(super) fn finish_epoch0_diagnostics(&mut self, norms: Option<&[Vec<f64>]>) {
        if !self.diag.as_ref().is_some_and(|d| d.epoch0_pending) {
            return;
        }
        let (weights, biases) = self.params_before_first_step();
        let Some(diag) = &mut self.diag else { return };
        diag.epoch0_pending = false;
        let Some(c) = &diag.last_capture else { return };
        let stats = diag.probe.stats(0, c, &weights, &biases, &self.dims, norms);
        self.push_diagnostics(stats);
    }

    /// Epoch 0's stacked (weights, biases): the arms' initial weights, still on the host in
    /// the plans.
    fn params_before_first_step(&self) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
        let stack = |layer: &dyn Fn(&ArmWeights) -> &[f32]| -> Vec<f32> {
            self.plans
                .iter()
                .flat_map(|p| layer(&p.weights).iter().copied())
                .collect()
        };
        (0..self.dims.len() - 1)
            .map(|l| {
                (
                    stack(&|w: &ArmWeights| &w.weights[l]),
                    stack(&|w: &ArmWeights| &w.biases[l]),
                )
            })
            .unzip()
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
}

/// The Frobenius norm of each arm's slice of a stacked `[arms, in, out]` gradient.
pub(super) fn arm_norms(g: &Tensor<3>) -> Vec<f64> {
    to_vec(g.clone().square().sum_dim(2).sum_dim(1))
        .iter()
        .map(|&v| (v as f64).sqrt())
        .collect()
}
