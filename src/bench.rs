//! The speed benchmark: the workloads of the benchmark spec, run exactly, timed end to end
//! (data preparation excluded, as in the reference scripts).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::activation::Activation;
use crate::data::bundled::Bundled;
use crate::data::{DataError, PrepareOptions, PreparedData, Table, parse_csv, prepare};
use crate::init::BiasInit;
use crate::model::ModelSpec;
use crate::rng::derive_rng;
use crate::study::sweep::{Axis, Sweep, run_sweep};
use crate::study::{
    BENCHMARK_EIGHT, RepeatMode, Results, RunOptions, StudyError, StudySpec, builtin, run_study,
};
use crate::train::{OptimizerKind, OptimizerSpec, TrainSpec};

/// A named workload: the study (or sweep) and its data.
pub struct Workload {
    pub name: &'static str,
    pub spec: StudySpec,
    pub table: Table,
    pub data: PreparedData,
}

/// The workloads `initlab bench --workload` takes.
pub const WORKLOADS: [&str; 3] = ["digits-8x3", "synthetic-100k", "depth-sweep"];

impl Workload {
    /// FLOPs of the workload as the spec counts them: forward + backward (3x forward) on every
    /// training sample of every epoch, plus a forward pass over the validation set per epoch,
    /// summed over the sweep's points.
    pub fn flops(&self) -> f64 {
        let (n_in, n_out) = (self.data.n_inputs, self.data.n_outputs());
        let (n_train, n_val) = (self.data.n_train() as f64, self.data.n_val() as f64);
        self.spec
            .points()
            .iter()
            .map(|p| {
                let fwd = p.spec.model.forward_flops(n_in, n_out) as f64;
                let arms = p.spec.arms().len() as f64;
                let epochs = p.spec.train.epochs as f64;
                arms * epochs * (3.0 * fwd * n_train + fwd * n_val)
            })
            .sum()
    }

    pub fn training_samples(&self) -> f64 {
        let networks = self.spec.network_count();
        (networks * self.spec.train.epochs * self.data.n_train()) as f64
    }
}

/// The parts that differ between the workloads; the rest is the spec's (Adam 1e-3, seed 0).
struct Shape {
    data: &'static str,
    target: &'static str,
    hidden: Vec<usize>,
    activation: Activation,
    inits: &'static [&'static str],
    repeats: usize,
    epochs: usize,
    batch: usize,
}

fn study(s: Shape) -> StudySpec {
    StudySpec {
        data: s.data.into(),
        prepare: PrepareOptions {
            target: s.target.into(),
            ..PrepareOptions::default()
        },
        model: ModelSpec {
            hidden: s.hidden,
            activation: s.activation,
            bias: BiasInit::ZEROS,
            gain: 1.0,
        },
        train: TrainSpec {
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Adam,
                ..OptimizerSpec::default()
            },
            lr: 1e-3,
            batch_size: s.batch,
            epochs: s.epochs,
            ..TrainSpec::default()
        },
        initializers: builtin(s.inits),
        repeats: s.repeats,
        // The reference scripts train every seed on one fixed split.
        repeat_mode: RepeatMode::Seeds,
        seed: 0,
        ..StudySpec::default()
    }
}

/// `digits-8x3`: 8 initializers x 3 seeds, 64-128-128-10 tanh, Adam 1e-3, batch 64, 20 epochs.
pub fn digits_8x3() -> Result<Workload, StudyError> {
    let spec = study(Shape {
        data: "bundled:digits",
        target: "digit",
        hidden: vec![128, 128],
        activation: Activation::Tanh,
        inits: &BENCHMARK_EIGHT,
        repeats: 3,
        epochs: 20,
        batch: 64,
    });
    let table = Bundled::by_name("digits")
        .map(Bundled::load)
        .transpose()?
        .ok_or_else(|| StudyError::Invalid {
            field: "data".into(),
            message: "digits is not bundled".into(),
        })?;
    let data = prepare(&table, &spec.prepare, spec.seed)?;
    Ok(Workload {
        name: "digits-8x3",
        spec,
        table,
        data,
    })
}

/// `depth-sweep`: 64 -> [128] x L -> 10 relu on digits for L = 2, 4, 8, 16, 32; xavier-normal,
/// kaiming-normal, orthogonal and pytorch-default, 3 seeds each; Adam 1e-3, batch 64, 5 epochs.
pub fn depth_sweep() -> Result<Workload, StudyError> {
    let mut w = digits_8x3()?;
    w.name = "depth-sweep";
    w.spec = study(Shape {
        data: "bundled:digits",
        target: "digit",
        hidden: vec![128],
        activation: Activation::Relu,
        inits: &[
            "xavier-normal",
            "kaiming-normal",
            "orthogonal",
            "pytorch-default",
        ],
        repeats: 3,
        epochs: 5,
        batch: 64,
    });
    w.spec.sweep = Some(Sweep {
        axes: vec![Axis::Depth(vec![2, 4, 8, 16, 32])],
        ..Sweep::default()
    });
    Ok(w)
}

/// `synthetic-100k`: 100,000 x 32 standard normal features, 4 classes from the argmax of a fixed
/// random tanh teacher `tanh(X A) B` (A ~ N(0, 1/32) (32 x 64), B ~ N(0, 1/64) (64 x 4)); 32-256-256-4
/// relu; 4 initializers x 2 seeds; 3 epochs; batch 256; Adam 1e-3. `csv` is the file written by the
/// spec's `make_synthetic.py`; without it the same construction is drawn here from initlab's own
/// RNG (same shapes and class structure, so the same work; the values differ).
pub fn synthetic_100k(csv: Option<&[u8]>) -> Result<Workload, StudyError> {
    let spec = study(Shape {
        data: "synthetic_100k.csv",
        target: "label",
        hidden: vec![256, 256],
        activation: Activation::Relu,
        inits: &["xavier-uniform", "kaiming-normal", "orthogonal", "normal:1"],
        repeats: 2,
        epochs: 3,
        batch: 256,
    });
    let table = match csv {
        Some(bytes) => parse_csv(bytes, "synthetic_100k.csv", &mut |_| {})?,
        None => synthetic_table(100_000)?,
    };
    let data = prepare(&table, &spec.prepare, spec.seed)?;
    Ok(Workload {
        name: "synthetic-100k",
        spec,
        table,
        data,
    })
}

/// The teacher dataset of `synthetic-100k`, built in memory.
pub fn synthetic_table(rows: usize) -> Result<Table, DataError> {
    const D: usize = 32;
    const H: usize = 64;
    const C: usize = 4;
    let mut rng = derive_rng(2024, &[]);
    let mut normal = |n: usize, scale: f64| -> Vec<f64> {
        (0..n)
            .map(|_| rng.sample::<f64, _>(StandardNormal) * scale)
            .collect()
    };
    let x = normal(rows * D, 1.0);
    let a = normal(D * H, 1.0 / (D as f64).sqrt());
    let b = normal(H * C, 1.0 / (H as f64).sqrt());
    let mut csv = String::with_capacity(rows * D * 10);
    for k in 0..D {
        csv += &format!("f{k},");
    }
    csv += "label\n";
    for r in 0..rows {
        let row: Vec<f64> = x[r * D..(r + 1) * D]
            .iter()
            .map(|v| (v * 1e6).round() / 1e6)
            .collect();
        let hidden: Vec<f64> = (0..H)
            .map(|j| (0..D).map(|i| row[i] * a[i * H + j]).sum::<f64>().tanh())
            .collect();
        let label = (0..C)
            .map(|c| (c, (0..H).map(|j| hidden[j] * b[j * C + c]).sum::<f64>()))
            .max_by(|p, q| p.1.total_cmp(&q.1))
            .map_or(0, |(c, _)| c);
        for v in &row {
            csv += &format!("{v:.6},");
        }
        csv += &format!("{label}\n");
    }
    parse_csv(csv.as_bytes(), "synthetic_100k.csv", &mut |_| {})
}

/// One timed run of a workload.
pub struct Measurement {
    pub wall_seconds: f64,
    pub result: Results,
}

/// Times one run: the study on its prepared split, or the sweep on its table (the sweep
/// prepares the split itself, a few milliseconds on digits, inside the timing).
pub fn measure(w: &Workload, threads: usize) -> Result<Measurement, StudyError> {
    let options = RunOptions { threads };
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let result = if w.spec.is_sweep() {
        let tables = std::slice::from_ref(&w.table);
        Results::Sweep(Box::new(run_sweep(
            &w.spec,
            tables,
            &options,
            &|_| {},
            &cancel,
        )?))
    } else {
        Results::Study(Box::new(run_study(
            &w.spec,
            &w.data,
            &options,
            &|_| {},
            &cancel,
        )?))
    };
    Ok(Measurement {
        wall_seconds: started.elapsed().as_secs_f64(),
        result,
    })
}

/// Median of a non-empty slice.
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// Runs `workload` `runs` times and prints one line per run and the median.
pub fn run_and_print(w: &Workload, runs: usize, threads: usize) -> Result<f64, StudyError> {
    let gflop = w.flops() / 1e9;
    println!(
        "{}: {} networks, {} training rows, {} epochs, {:.1} GFLOP, {} thread(s)",
        w.name,
        w.spec.network_count(),
        w.data.n_train(),
        w.spec.train.epochs,
        gflop,
        threads
    );
    reset_peak_rss();
    let mut walls = Vec::with_capacity(runs);
    for i in 0..runs.max(1) {
        let m = measure(w, threads)?;
        println!(
            "  run {}: {:.2} s, {:.0} training samples/s, {:.1} GFLOP/s",
            i + 1,
            m.wall_seconds,
            w.training_samples() / m.wall_seconds,
            gflop / m.wall_seconds
        );
        walls.push(m.wall_seconds);
    }
    let med = median(&walls);
    let peak = peak_rss().map_or_else(|| "unknown".into(), |b| format!("{:.0} MB", b / 1e6));
    println!(
        "  median: {:.2} s, {:.0} training samples/s, {:.1} GFLOP/s; peak RSS {peak}",
        med,
        w.training_samples() / med,
        gflop / med
    );
    Ok(med)
}

/// Resets the process's peak resident set (Linux: `clear_refs` 5), so that the next
/// [`peak_rss`] measures one workload rather than everything the process did before.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set of the process in bytes (`VmHWM`), where the system reports it.
pub fn peak_rss() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024.0)
}
