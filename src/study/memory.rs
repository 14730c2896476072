//! How much memory a study needs, checked before training: an allocation that fails aborts the
//! process (no unwinding), which in the app would take the window and the user's unsaved study
//! with it. Widths that `validate` accepts (65,536) make a single layer 17 GB.

use std::fmt;

use super::StudySpec;
use crate::train::OptimizerKind;

/// The estimate for one study and what the machine has free.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryEstimate {
    /// Peak bytes the study is expected to hold.
    pub bytes: f64,
    /// Bytes the operating system reports available, when it says.
    pub available: Option<f64>,
    pub networks: usize,
    pub params_per_network: f64,
}

impl MemoryEstimate {
    /// False only when the machine reports less available memory than the estimate.
    pub fn fits(&self) -> bool {
        self.available.is_none_or(|a| self.bytes <= a)
    }
}

impl fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this study needs about {} of memory ({} network{} of {} parameters: weights, \
             gradients, optimizer state and activations)",
            human_bytes(self.bytes),
            self.networks,
            if self.networks == 1 { "" } else { "s" },
            human_count(self.params_per_network),
        )?;
        if let Some(a) = self.available {
            write!(f, " but {} is available", human_bytes(a))?;
        }
        if !self.fits() {
            write!(
                f,
                "; use narrower or fewer hidden layers, fewer initializers or fewer repeats"
            )?;
        }
        Ok(())
    }
}

/// Estimates the peak memory of training `spec` on data with `n_inputs` features and
/// `n_outputs` outputs. Per network it counts the host copy of the initial weights, the stacking
/// buffer, the parameters, their gradients and the optimizer's state (all f32), plus one
/// batch's activations kept for the backward pass; per thread the evaluation buffers (bounded
/// at ~16 MB, see `train`). Computed in f64 so absurd widths cannot overflow.
pub fn estimate_memory(
    spec: &StudySpec,
    n_inputs: usize,
    n_outputs: usize,
    threads: usize,
) -> MemoryEstimate {
    let dims = spec.model.dims(n_inputs, n_outputs);
    let params: f64 = dims
        .windows(2)
        .map(|w| w[0] as f64 * w[1] as f64 + w[1] as f64)
        .sum();
    let optimizer_states = match spec.train.optimizer.kind {
        OptimizerKind::Sgd => 0.0,
        OptimizerKind::Momentum => 1.0,
        OptimizerKind::Adam => 2.0,
    };
    // initial host copy + stacking buffer + parameters + gradients + optimizer state
    let per_param = 4.0 * (4.0 + optimizer_states);
    let units: f64 = dims.iter().skip(1).map(|&d| d as f64).sum();
    // pre-activation, activation and their gradients for one batch
    let activations = 4.0 * 4.0 * spec.train.batch_size as f64 * units;
    let networks = spec.initializers.len() * spec.repeats;
    let bytes = networks as f64 * (params * per_param + activations)
        + threads.max(1) as f64 * 16.0 * 1024.0 * 1024.0;
    MemoryEstimate {
        bytes,
        available: available_memory(),
        networks,
        params_per_network: params,
    }
}

/// Memory available to this process: the kernel's `MemAvailable`, lowered by a cgroup limit when
/// one is set (containers, Slurm and Kubernetes jobs). `None` where neither is readable.
pub fn available_memory() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb * 1024.0)
    });
    let cgroup = || -> Option<f64> {
        let read = |name: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{name}")).ok();
        let max: f64 = read("memory.max")?.trim().parse().ok()?;
        let current: f64 = read("memory.current")?.trim().parse().ok()?;
        Some((max - current).max(0.0))
    };
    match (meminfo, cgroup()) {
        (Some(m), Some(c)) => Some(m.min(c)),
        (m, c) => m.or(c),
    }
}

/// `1.5 GB`, `312 MB`: decimal units, as people compare against their machine's spec sheet.
pub fn human_bytes(bytes: f64) -> String {
    human(bytes, "B")
}

fn human_count(n: f64) -> String {
    human(n, "").trim_end().to_owned()
}

fn human(x: f64, unit: &str) -> String {
    const PREFIXES: [&str; 6] = ["", "k", "M", "G", "T", "P"];
    let mut v = x;
    let mut p = 0;
    while v >= 1000.0 && p + 1 < PREFIXES.len() {
        v /= 1000.0;
        p += 1;
    }
    let digits = if v < 10.0 && p > 0 { 1 } else { 0 };
    format!("{v:.digits$} {}{unit}", PREFIXES[p])
}
