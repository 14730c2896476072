//! Saxe, McClelland & Ganguli 2014: in deep linear networks, learning time at the best learning
//! rate grows with depth from scaled Gaussian weights and stays flat from orthogonal ones,
//! whose product is an isometry at every depth.

use super::common::{Judgement, digits, sweep, with_axes};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::study::{Results, StudySpec, SweepResult};
use crate::train::OptimizerKind;

const INITS: [&str; 2] = ["lecun-normal", "orthogonal"];

pub const EXPERIMENT: Experiment = Experiment {
    name: "saxe-deep-linear",
    title: "Saxe et al. 2014: learning time of deep linear networks",
    citation: "A. M. Saxe, J. L. McClelland, S. Ganguli. Exact solutions to the nonlinear \
               dynamics of learning in deep linear neural networks. ICLR 2014 (figure 6).",
    claim: "With the learning rate tuned per depth, the time a deep linear network needs to \
            learn grows with depth from scaled Gaussian weights but stays nearly constant from \
            orthogonal weights.",
    setup: "Bundled digits; identity activation, width 64, depth 1, 2, 4, ..., 32 hidden \
            layers; lecun-normal (N(0, 1/fan_in): the paper's scaled Gaussian) against \
            orthogonal; plain SGD at 9 learning rates from 0.003 to 0.3 (log spaced), batch 64, \
            20 epochs, 2 repeats. Learning time: steps until the epoch's training loss first \
            fell to 10% of its initial value (read at epoch ends: 23 steps each), the best \
            learning rate's per depth, as in the paper. Reduced (tests): depths 1 and 32, \
            learning rates 0.01, 0.1, 0.3, 1 repeat.",
    look_for: "The heatmaps (depth against learning rate, one per initializer) and the points \
               table's steps to threshold: at the best learning rate of each depth orthogonal \
               needs the same number of steps at depth 32 as at depth 1, lecun-normal several \
               times more. Deep nets need a smaller learning rate than shallow ones either way.",
    spec,
    judge,
};

fn spec(size: Size) -> StudySpec {
    let mut s = digits(&INITS, Activation::Identity, vec![64]);
    s.train.optimizer.kind = OptimizerKind::Sgd;
    s.train.epochs = 20;
    let (axes, repeats): ([&str; 2], usize) = match size {
        Size::Full => (["depth=1..32:x2", "lr=0.003..0.3:log9"], 2),
        Size::Reduced => (["depth=1,32", "lr=0.01,0.1,0.3"], 1),
    };
    s.repeats = repeats;
    with_axes(s, &axes, Some(0.1))
}

/// Per depth value: the best learning rate's mean steps to threshold for `init` (over
/// repeats; a learning rate counts only where every repeat reached the threshold).
pub fn best_steps(r: &SweepResult, init: &str) -> Vec<Option<f64>> {
    let depths = r
        .spec
        .sweep
        .as_ref()
        .and_then(|s| s.axes.first())
        .map_or(0, |a| a.len());
    let mut best: Vec<Option<f64>> = vec![None; depths];
    for p in &r.points {
        let steps: Option<Vec<f64>> = p
            .result
            .runs
            .iter()
            .zip(&p.trainability)
            .filter(|(run, _)| run.initializer == init)
            .map(|(_, t)| t.steps_to_threshold.map(|s| s as f64))
            .collect();
        let Some(steps) = steps.filter(|s| !s.is_empty()) else {
            continue;
        };
        let m = steps.iter().sum::<f64>() / steps.len() as f64;
        if let Some(b) = p.coords.first().and_then(|&d| best.get_mut(d)) {
            *b = Some(b.map_or(m, |v: f64| v.min(m)));
        }
    }
    best
}

/// Deepest over shallowest best learning time (`None` unless both were reached).
fn growth(best: &[Option<f64>]) -> Option<f64> {
    Some((*best.last()?)? / (*best.first()?)?)
}

fn describe(init: &str, best: &[Option<f64>], depths: &[String]) -> String {
    let steps: Vec<String> = best
        .iter()
        .zip(depths)
        .map(|(b, d)| match b {
            Some(s) => format!("{s:.0} at depth {d}"),
            None => format!("never at depth {d}"),
        })
        .collect();
    let g = growth(best).map_or("unknown".into(), |g| format!("{g:.2}x"));
    format!("{init} best steps {} (growth {g})", steps.join(", "))
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = sweep(r) else {
        return Judgement::unreadable("sweep");
    };
    let depth_axis = r.spec.sweep.as_ref().and_then(|s| s.axes.first());
    let depths: Vec<String> =
        depth_axis.map_or_else(Vec::new, |a| (0..a.len()).map(|i| a.label(i)).collect());
    let (gauss, orth) = (best_steps(r, INITS[0]), best_steps(r, INITS[1]));
    let (g, o) = (growth(&gauss), growth(&orth));
    let ok = o.is_some_and(|o| o <= 1.5) && g.is_some_and(|g| g >= 3.0);
    let text = format!(
        "{}; {}. The claim needs orthogonal's growth from the shallowest to the deepest at \
         most 1.5x and the Gaussian's at least 3x.",
        describe(INITS[1], &orth, &depths),
        describe(INITS[0], &gauss, &depths)
    );
    Judgement::new(ok, text)
}
