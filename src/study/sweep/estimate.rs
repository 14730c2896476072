//! The size of a sweep before it starts, and its time from a short calibration run: the most
//! expensive point trains a few steps on a slice of its data, and every point's time is scaled
//! from it by its FLOPs per step and its number of steps.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::run::prepare_points;
use crate::data::{PreparedData, Table, Targets};
use crate::study::engine::{PointWork, item_count, train_points};
use crate::study::{StudyError, StudySpec};
use crate::train::steps_per_epoch;

/// Steps the calibration run takes.
const CALIBRATION_STEPS: usize = 4;

/// What a sweep will train and about how long it will take.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepEstimate {
    pub points: usize,
    pub networks: usize,
    /// Parameters over every network of the grid.
    pub parameters: f64,
    /// Estimated wall seconds on `threads` threads.
    pub seconds: f64,
    /// The point the calibration ran on, in words.
    pub calibrated_on: String,
}

/// Sizes the sweep and times [`CALIBRATION_STEPS`] steps of its most expensive point.
pub fn estimate(
    spec: &StudySpec,
    tables: &[Table],
    threads: usize,
) -> Result<SweepEstimate, StudyError> {
    let prep = prepare_points(spec, tables)?;
    let cost = |p: usize| -> (f64, f64) {
        let s = &prep.points[p].spec;
        let d = &prep.datas[prep.keys[p]].0[0];
        let flops = s.model.forward_flops(d.n_inputs, d.n_outputs()) as f64
            * s.arms().len() as f64
            * s.train.batch_size as f64;
        let steps = (s.train.epochs * steps_per_epoch(d.n_train(), s.train.batch_size)) as f64;
        (flops, steps)
    };
    let heaviest = (0..prep.points.len())
        .max_by(|&a, &b| cost(a).0.total_cmp(&cost(b).0))
        .unwrap_or(0);
    let per_step = calibrate(&prep, heaviest)?;
    let (ref_flops, _) = cost(heaviest);
    let total: f64 = (0..prep.points.len())
        .map(|p| {
            let (f, steps) = cost(p);
            steps * per_step * f / ref_flops.max(1.0)
        })
        .sum();
    let parameters = prep
        .points
        .iter()
        .zip(&prep.keys)
        .map(|(p, &k)| {
            let d = &prep.datas[k].0[0];
            let dims = p.spec.model.dims(d.n_inputs, d.n_outputs());
            let per: usize = dims.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
            per as f64 * p.spec.arms().len() as f64
        })
        .sum();
    let label = spec.sweep.as_ref().map_or_else(String::new, |s| {
        s.point_label(&prep.points[heaviest].coords)
    });
    Ok(SweepEstimate {
        points: prep.points.len(),
        networks: spec.network_count(),
        parameters,
        seconds: total / threads.clamp(1, prep.points.len().max(1)) as f64,
        calibrated_on: label,
    })
}

/// Seconds per step of point `p` with all its arms stacked, on a slice of its data.
fn calibrate(prep: &super::run::Prepared, p: usize) -> Result<f64, StudyError> {
    let mut spec = prep.points[p].spec.clone();
    spec.train.epochs = 1;
    spec.diagnostics = false;
    let data = slice(&prep.datas[prep.keys[p]].0[0], spec.train.batch_size);
    let steps = steps_per_epoch(data.n_train(), spec.train.batch_size).max(1);
    let datas = [data];
    let probes = [prep.datas[prep.keys[p]].1[0].clone()];
    let work = PointWork {
        spec: &spec,
        data_key: 0,
        datas: &datas,
        probes: &probes,
    };
    let started = Instant::now();
    let points = std::slice::from_ref(&work);
    train_points(
        points,
        0..item_count(points),
        1,
        &|_| {},
        &AtomicBool::new(false),
    )?;
    Ok(started.elapsed().as_secs_f64() / steps as f64)
}

/// The first [`CALIBRATION_STEPS`] batches of training rows and one batch of validation rows.
fn slice(d: &PreparedData, batch: usize) -> PreparedData {
    let n = d.n_inputs;
    let train = d.n_train().min(CALIBRATION_STEPS * batch.max(1));
    let val = d.n_val().min(batch.max(1));
    let cut = |t: &Targets, k: usize| match t {
        Targets::Classes(v) => Targets::Classes(v[..k].to_vec()),
        Targets::Values(v) => Targets::Values(v[..k].to_vec()),
    };
    PreparedData {
        x_train: d.x_train[..train * n].to_vec(),
        y_train: cut(&d.y_train, train),
        x_val: d.x_val[..val * n].to_vec(),
        y_val: cut(&d.y_val, val),
        ..d.clone()
    }
}
