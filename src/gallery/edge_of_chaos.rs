//! Schoenholz et al. 2017: a tanh network trains only where its depth is within about six
//! correlation lengths xi_c of the mean-field theory, so the trainable region of a gain x
//! depth grid is bounded by the curve 6 xi_c, which diverges at the edge of chaos.

use super::common::{Judgement, digits, sweep, with_axes};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::init::BiasInit;
use crate::study::{Results, StudySpec, SweepResult};

/// sigma_b = sqrt(0.05), the paper's sigma_b^2 = 0.05.
const SIGMA_B: f32 = 0.2236;

pub const EXPERIMENT: Experiment = Experiment {
    name: "schoenholz-edge-of-chaos",
    title: "Schoenholz et al. 2017: trainable depth is bounded by 6 ξ_c",
    citation: "S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein. Deep Information \
               Propagation. ICLR 2017 (figure 5).",
    claim: "A random tanh network trains only if its depth is below about 6 ξ_c, the \
            mean-field correlation length, which diverges at the edge of chaos (σ_w² ≈ 1.76 \
            for σ_b² = 0.05): far from it only shallow networks train.",
    setup: "Bundled digits; tanh, width 64, lecun-normal weights times a gain (σ_w² = gain²), \
            biases N(0, 0.05); gain 0.5, 0.75, 1, 1.15, 1.33 (critical), 1.5, 1.75, 2.5, 4 \
            against depth 2, 4, 8, ..., 64 hidden layers; SGD with momentum 0.9, lr 0.01, batch \
            64, 10 epochs, 2 repeats. A network trained when its training loss fell to half \
            its initial value and its validation accuracy beat chance by 0.1; a cell counts \
            when both repeats trained. Reduced (tests): gains 0.5, 1.33, 4, depths 2, 8, 32, 1 \
            repeat.",
    look_for: "The heatmap (depth against gain): the green (trained) region follows the dashed \
               6 ξ_c curve drawn over it, reaching deepest near gain 1.33. The depth-64 row \
               stays white even at the critical gain: 6 ξ_c bounds trainability, and 10 epochs \
               at lr 0.01 are not enough to train 64 layers.",
    spec,
    judge,
};

fn spec(size: Size) -> StudySpec {
    let mut s = digits(&["lecun-normal"], Activation::Tanh, vec![64]);
    s.model.bias = BiasInit::Normal(SIGMA_B);
    s.train.epochs = 10;
    let (axes, repeats): ([&str; 2], usize) = match size {
        Size::Full => (
            [
                "gain=0.5,0.75,1,1.15,1.33,1.5,1.75,2.5,4",
                "depth=2,4,8,16,32,64",
            ],
            2,
        ),
        Size::Reduced => (["gain=0.5,1.33,4", "depth=2,8,32"], 1),
    };
    s.repeats = repeats;
    with_axes(s, &axes, None)
}

/// 6 xi_c of `r`'s study at gain value `gain`.
pub fn max_depth(r: &SweepResult, gain: f64) -> Option<f64> {
    let init = r.spec.initializers.first()?;
    crate::theory::trainable_depth(&r.spec, init, gain)
}

/// Cells as (gain, depth, trained: more than half the repeats).
fn cells(r: &SweepResult) -> Vec<(f64, f64, bool)> {
    let Some([g, d]) = r.spec.sweep.as_ref().map(|s| s.axes.as_slice()) else {
        return Vec::new();
    };
    r.points
        .iter()
        .filter_map(|p| {
            let gain = g.number(*p.coords.first()?)?;
            let depth = d.number(*p.coords.get(1)?)?;
            let n = p.trainability.len();
            let t = p.trainability.iter().filter(|t| t.trained).count();
            Some((gain, depth, n > 0 && 2 * t > n))
        })
        .collect()
}

fn judge(r: &Results) -> Judgement {
    let Some(r) = sweep(r) else {
        return Judgement::unreadable("sweep");
    };
    let (mut beyond, mut beyond_trained, mut within, mut within_trained) = (0, 0, 0, 0);
    for (gain, depth, trained) in cells(r) {
        let bound = max_depth(r, gain).unwrap_or(f64::NAN);
        if depth > bound {
            beyond += 1;
            beyond_trained += usize::from(trained);
        } else {
            within += 1;
            within_trained += usize::from(trained);
        }
    }
    let share = within_trained as f64 / within.max(1) as f64;
    let ok = beyond > 0 && within > 0 && beyond_trained == 0 && share >= 0.75;
    let gains = r
        .spec
        .sweep
        .as_ref()
        .and_then(|s| s.axes.first())
        .map_or_else(Vec::new, |a| {
            (0..a.len()).filter_map(|i| a.number(i)).collect()
        });
    let bounds: Vec<String> = gains
        .iter()
        .map(|&g| {
            let b = max_depth(r, g).unwrap_or(f64::NAN);
            if b.is_finite() {
                format!("gain {g}: {b:.1}")
            } else {
                format!("gain {g}: ∞")
            }
        })
        .collect();
    let text = format!(
        "{beyond_trained} of {beyond} cells deeper than 6 ξ_c trained and {within_trained} of \
         {within} cells within it trained ({:.0}%; the claim needs none beyond and at least \
         75% within). 6 ξ_c per gain: {}.",
        100.0 * share,
        bounds.join(", ")
    );
    Judgement::new(ok, text)
}
