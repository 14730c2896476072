//! Symmetry: hidden units that start equal receive equal gradients and stay equal, so a network
//! initialized with zeros or any constant has one distinct unit per layer however long it
//! trains; a random draw breaks the tie.

use super::common::{Judgement, digits, epochs, final_accuracies, study};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::study::{Results, StudyResult, StudySpec};

const WIDTH: usize = 32;
const CONSTANT: [&str; 2] = ["zeros", "constant:0.1"];
const RANDOM: &str = "xavier-normal";

pub const EXPERIMENT: Experiment = Experiment {
    name: "symmetry",
    title: "Symmetry: constant initializations never break it",
    citation: "D. E. Rumelhart, G. E. Hinton, R. J. Williams. Learning representations by \
               back-propagating errors. Nature 323, 1986; I. Goodfellow, Y. Bengio, A. \
               Courville. Deep Learning, section 8.4, 2016.",
    claim: "Hidden units that start with equal weights get equal gradients, so zeros and \
            constant initializations keep one distinct unit per hidden layer for the whole of \
            training, while a random draw gives every unit its own.",
    setup: "Bundled digits; 2 hidden tanh layers of width 32, zero biases; zeros, constant:0.1 \
            and xavier-normal (the control); SGD with momentum 0.9, lr 0.01, batch 64, 20 \
            epochs, 2 repeats; per-layer diagnostics on. Distinct units: units whose incoming \
            weights and bias differ by more than 1e-6. Reduced (tests): 3 epochs.",
    look_for: "The Layers tab, metric 'distinct units' (the report's per-layer chart): zeros and \
               constant:0.1 stay at 1 in every hidden layer at every epoch, xavier-normal at 32. \
               The curves: zeros never leaves chance (only the output bias learns).",
    spec,
    judge,
};

fn spec(size: Size) -> StudySpec {
    let inits = [CONSTANT[0], CONSTANT[1], RANDOM];
    let mut s = digits(&inits, Activation::Tanh, vec![WIDTH; 2]);
    s.diagnostics = true;
    s.train.epochs = match size {
        Size::Full => 20,
        Size::Reduced => 3,
    };
    s
}

/// The least and most distinct units over every hidden layer, epoch and repeat of `init`
/// (`None` without diagnostics).
fn distinct_range(r: &StudyResult, init: &str) -> Option<(usize, usize)> {
    let mut values = r
        .runs
        .iter()
        .filter(|run| run.initializer == init)
        .filter_map(|run| run.diagnostics.as_ref())
        .flat_map(|d| &d.epochs)
        .flat_map(|e| {
            let hidden = e.layers.len().saturating_sub(1);
            e.layers[..hidden].iter().map(|l| l.distinct_units)
        })
        .peekable();
    values.peek()?;
    let (lo, hi) = values.fold((usize::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Some((lo, hi))
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = study(r) else {
        return Judgement::unreadable("study");
    };
    let width = r.spec.model.hidden.first().copied().unwrap_or(0);
    let mut ok = true;
    let mut parts = Vec::new();
    for init in CONSTANT {
        let range = distinct_range(r, init);
        ok &= range == Some((1, 1));
        parts.push(format!(
            "{init} kept {} distinct unit(s) per hidden layer (final validation accuracy {:.2})",
            range.map_or("unmeasured".into(), |(lo, hi)| if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}–{hi}")
            }),
            super::common::mean(&final_accuracies(r, init)),
        ));
    }
    let random = distinct_range(r, RANDOM);
    ok &= random.is_some_and(|(lo, _)| lo == width);
    let text = format!(
        "over all {} epochs {}, while {RANDOM} had {} of {width} (accuracy {:.2}).",
        epochs(r),
        parts.join(" and "),
        random.map_or("unmeasured".into(), |(lo, _)| format!("at least {lo}")),
        super::common::mean(&final_accuracies(r, RANDOM)),
    );
    Judgement::new(ok, text)
}
