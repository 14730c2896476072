//! Mishkin & Matas 2015: layer-sequential unit-variance (LSUV) initialization, orthogonal
//! weights rescaled layer by layer until each layer's output has unit variance on a data
//! batch, trains deep networks that plain orthogonal or Xavier weights leave stuck.

use super::common::{Judgement, digits, epochs, final_accuracies, final_losses, list, mean, study};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::study::{Results, StudyResult, StudySpec};

const DEPTH: usize = 30;
const INITS: [&str; 3] = ["xavier-normal", "orthogonal", "lsuv"];
/// LSUV's own tolerance on each layer's output variance.
const TOLERANCE: f32 = 0.1;

pub const EXPERIMENT: Experiment = Experiment {
    name: "lsuv",
    title: "Mishkin & Matas 2015: LSUV trains a deep network",
    citation: "D. Mishkin, J. Matas. All you need is a good init. ICLR 2016 (arXiv 1511.06422, \
               2015).",
    claim: "LSUV gives every layer unit output variance at initialization, and with it a deep \
            network (30 ReLU layers) trains where the orthogonal weights it starts from, and \
            Xavier's, leave it at chance.",
    setup: "Bundled digits; 30 hidden ReLU layers of width 64; xavier-normal, orthogonal and \
            lsuv (orthogonal, then each layer scaled by 1/sqrt(Var(output)) on the 128-row \
            probe batch until |Var - 1| <= 0.1, at most 10 times); SGD with momentum 0.9, lr \
            0.001, batch 64, 30 epochs, 3 repeats. Reduced (tests): 20 epochs, 2 repeats.",
    look_for: "The LSUV variances per layer (in the verdict and in results.json, runs[].lsuv) \
               all within 0.1 of 1; the training-loss curves: lsuv falls \
               like kaiming-normal in he-deep-relu while orthogonal and xavier-normal stay at \
               ln 10.",
    spec,
    judge,
};

fn spec(size: Size) -> StudySpec {
    let mut s = digits(&INITS, Activation::Relu, vec![64; DEPTH]);
    s.train.lr = 0.001;
    (s.train.epochs, s.repeats) = match size {
        Size::Full => (30, 3),
        Size::Reduced => (20, 2),
    };
    s
}

/// The lowest and highest LSUV layer variance over every repeat.
fn variance_range(r: &StudyResult) -> Option<(f32, f32)> {
    let v: Vec<f32> = r
        .runs
        .iter()
        .filter_map(|run| run.lsuv.as_ref())
        .flatten()
        .map(|l| l.variance)
        .collect();
    let lo = v.iter().copied().reduce(f32::min)?;
    let hi = v.iter().copied().reduce(f32::max)?;
    Some((lo, hi))
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = study(r) else {
        return Judgement::unreadable("study");
    };
    let range = variance_range(r);
    let unit = range.is_some_and(|(lo, hi)| lo >= 1.0 - TOLERANCE && hi <= 1.0 + TOLERANCE);
    let chance = (r.data.classes.len().max(2) as f64).ln();
    let lsuv = final_losses(r, INITS[2]);
    let others: Vec<Vec<f64>> = INITS[..2].iter().map(|i| final_losses(r, i)).collect();
    let stuck = others.iter().flatten().all(|l| *l >= 0.95 * chance);
    let trained = lsuv.iter().all(|l| *l < 0.5 * chance);
    let text = format!(
        "LSUV's layer output variances at initialization were {} (every layer, every repeat; \
         the claim needs all within {TOLERANCE} of 1); after {} epochs at depth {DEPTH} lsuv \
         reached training loss {} (accuracy {}) while xavier-normal ended at {} and orthogonal \
         at {} (ln {} = {chance:.3}; mean accuracy {:.2} and {:.2}).",
        range.map_or("missing".into(), |(lo, hi)| format!("{lo:.3} to {hi:.3}")),
        epochs(r),
        list(&lsuv, 3),
        list(&final_accuracies(r, INITS[2]), 2),
        list(&others[0], 3),
        list(&others[1], 3),
        r.data.classes.len(),
        mean(&final_accuracies(r, INITS[0])),
        mean(&final_accuracies(r, INITS[1])),
    );
    Judgement::new(unit && stuck && trained, text)
}
