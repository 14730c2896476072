//! The experiment gallery: classic initialization results, each an ordinary study (or sweep)
//! spec plus its paper's claim, a citation and a verdict function over the result.
//!
//! Every experiment has two sizes: [`Size::Full`], what `initlab gallery NAME` and the app run
//! (scaled to a laptop CPU, about a minute at most), and [`Size::Reduced`], the same setup cut
//! down to a few seconds, on which `tests/gallery.rs` checks the verdict. A verdict says
//! "reproduced" or "not reproduced" and always gives the numbers it was decided on.

mod common;
mod deep_linear;
mod deep_relu;
mod edge_of_chaos;
mod isometry;
mod lsuv;
mod mup;
mod saturation;
mod symmetry;

use std::sync::atomic::AtomicBool;

use crate::study::sweep::{load_tables, run_sweep};
use crate::study::{
    Results, RunOptions, StudyError, StudyEvent, StudySpec, Verdict, run_study_table,
};

pub use common::Judgement;
pub use mup::{Scale, coordinate_scales};

/// Which version of an experiment to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The documented setup: what the gallery runs.
    Full,
    /// The same effect on a setup small enough for a test (a few seconds in release).
    Reduced,
}

/// One experiment of the gallery.
pub struct Experiment {
    /// What `initlab gallery NAME` takes.
    pub name: &'static str,
    pub title: &'static str,
    pub citation: &'static str,
    /// The paper's claim in one sentence.
    pub claim: &'static str,
    /// The settings and why they were chosen.
    pub setup: &'static str,
    /// What to look at, naming the chart that shows it.
    pub look_for: &'static str,
    /// The study (with its sweep section, if any) of either size.
    pub spec: fn(Size) -> StudySpec,
    /// Whether the result shows the claim, and the numbers.
    pub judge: fn(&Results) -> Judgement,
}

/// Every experiment, in the gallery's order.
pub const EXPERIMENTS: &[Experiment] = &[
    symmetry::EXPERIMENT,
    saturation::EXPERIMENT,
    deep_relu::MOMENTUM,
    deep_relu::ADAM,
    deep_linear::EXPERIMENT,
    edge_of_chaos::EXPERIMENT,
    isometry::EXPERIMENT,
    lsuv::EXPERIMENT,
    mup::EXPERIMENT,
];

/// The experiment called `name`.
pub fn by_name(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}

/// Every experiment's name, for error messages.
pub fn names() -> Vec<&'static str> {
    EXPERIMENTS.iter().map(|e| e.name).collect()
}

impl Experiment {
    /// The verdict on `r`, with the experiment's texts.
    pub fn verdict(&self, r: &Results) -> Verdict {
        let j = (self.judge)(r);
        let word = if j.reproduced {
            "reproduced"
        } else {
            "not reproduced"
        };
        Verdict {
            experiment: self.name.into(),
            title: self.title.into(),
            citation: self.citation.into(),
            claim: self.claim.into(),
            setup: self.setup.into(),
            look_for: self.look_for.into(),
            reproduced: j.reproduced,
            text: format!("{word}: {}", j.text),
        }
    }

    /// `r` with this experiment's verdict attached.
    pub fn judged(&self, mut r: Results) -> Results {
        let v = Some(self.verdict(&r));
        match &mut r {
            Results::Study(s) => s.verdict = v,
            Results::Sweep(s) => s.verdict = v,
        }
        r
    }

    /// Runs the experiment at `size` on its bundled data and judges the result.
    pub fn run(
        &self,
        size: Size,
        options: &RunOptions,
        emit: &(dyn Fn(StudyEvent) + Sync),
        cancel: &AtomicBool,
    ) -> Result<Results, StudyError> {
        let r = run_spec(&(self.spec)(size), options, emit, cancel)?;
        Ok(self.judged(r))
    }
}

/// Runs a study or a sweep (a study with axes) from its spec.
pub fn run_spec(
    spec: &StudySpec,
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<Results, StudyError> {
    let (spec, tables) = load_tables(spec, None, &mut |_| {})?;
    if spec.is_sweep() {
        let r = run_sweep(&spec, &tables, options, emit, cancel)?;
        return Ok(Results::Sweep(Box::new(r)));
    }
    let table = tables.first().ok_or_else(|| StudyError::Invalid {
        field: "data".into(),
        message: "no dataset".into(),
    })?;
    let r = run_study_table(&spec, table, options, emit, cancel)?;
    Ok(Results::Study(Box::new(r)))
}
