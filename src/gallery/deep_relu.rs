//! He et al. 2015: a 30-layer ReLU network trains from Kaiming's initialization and stalls from
//! Xavier's, which halves the signal's variance at every layer. Under Adam, which divides each
//! step by the gradient's running RMS, the vanished gradients are scaled back up and Xavier
//! trains too: a second experiment shows it.

use super::common::{
    Judgement, digits, epochs, final_accuracies, final_losses, list, mean, mean_curve, study,
};
use super::{Experiment, Size};
use crate::activation::Activation;
use crate::study::{Results, StudyResult, StudySpec};
use crate::train::OptimizerKind;

const DEPTH: usize = 30;
const WIDTH: usize = 64;
const INITS: [&str; 2] = ["xavier-normal", "kaiming-normal"];

pub const MOMENTUM: Experiment = Experiment {
    name: "he-deep-relu",
    title: "He et al. 2015: a 30-layer ReLU network",
    citation: "K. He, X. Zhang, S. Ren, J. Sun. Delving Deep into Rectifiers: Surpassing \
               Human-Level Performance on ImageNet Classification. ICCV 2015 (section 2.2, \
               figure 3).",
    claim: "At depth 30, a ReLU network initialized with Xavier's variance 1/fan does not learn \
            at all while the same network with Kaiming's 2/fan trains.",
    setup: "Bundled digits; 30 hidden ReLU layers of width 64; SGD with momentum 0.9 (as in the \
            paper), learning rate 0.001 (0.01 made Kaiming's loss jump between epochs), batch \
            64, 30 epochs, 3 repeats on one fixed split. Reduced (tests): 20 epochs, 2 repeats.",
    look_for: "The training-loss curves: xavier-normal stays flat at ln 10 = 2.303 (chance) for \
               every epoch while kaiming-normal falls. The Layers tab shows why: Xavier's \
               activations shrink layer by layer at initialization.",
    spec: momentum_spec,
    judge: judge_momentum,
};

pub const ADAM: Experiment = Experiment {
    name: "he-deep-relu-adam",
    title: "He et al. 2015 under Adam: the optimizer rescues Xavier",
    citation: "K. He et al., ICCV 2015 (as above); D. P. Kingma, J. Ba. Adam: A Method for \
               Stochastic Optimization. ICLR 2015.",
    claim: "Adam normalises each parameter's step by its gradient's running RMS, so the \
            vanishing gradients of a 30-layer Xavier ReLU network no longer stall it: Xavier \
            trains under Adam, though more slowly than Kaiming.",
    setup: "As he-deep-relu but Adam (lr 0.001, betas 0.9/0.999, eps 1e-8): 30 hidden ReLU \
            layers of width 64, batch 64, 30 epochs, 3 repeats. Reduced (tests): 15 epochs, 2 \
            repeats.",
    look_for: "The training-loss curves: under Adam xavier-normal leaves chance within a few \
               epochs (compare he-deep-relu, where it never does) but stays above \
               kaiming-normal.",
    spec: adam_spec,
    judge: judge_adam,
};

fn momentum_spec(size: Size) -> StudySpec {
    let mut s = digits(&INITS, Activation::Relu, vec![WIDTH; DEPTH]);
    s.train.lr = 0.001;
    (s.train.epochs, s.repeats) = match size {
        Size::Full => (30, 3),
        Size::Reduced => (20, 2),
    };
    s
}

fn adam_spec(size: Size) -> StudySpec {
    let mut s = momentum_spec(size);
    s.train.optimizer.kind = OptimizerKind::Adam;
    s.train.epochs = match size {
        Size::Full => 30,
        Size::Reduced => 15,
    };
    s
}

/// ln C: the cross-entropy of a uniform guess over the study's classes.
fn chance_loss(r: &StudyResult) -> f64 {
    (r.data.classes.len().max(2) as f64).ln()
}

fn judge_momentum(r: &Results) -> Judgement {
    let Some(r) = study(r) else {
        return Judgement::unreadable("study");
    };
    let (x, k) = (final_losses(r, INITS[0]), final_losses(r, INITS[1]));
    let chance = chance_loss(r);
    let (xm, km) = (mean(&x), mean(&k));
    let stalled = x.iter().all(|l| (l - chance).abs() <= 0.05 * chance);
    let ok = stalled && km < 0.5 * xm;
    let text = format!(
        "at depth {DEPTH} xavier-normal {} for all {} epochs (final training loss {} against \
         ln {} = {chance:.3}; validation accuracy {}) while kaiming-normal reached training loss \
         {} (validation accuracy {}); Kaiming's mean is {:.2}x Xavier's (the claim needs below \
         0.5x, and Xavier within 5% of ln C).",
        if stalled {
            "stayed at chance"
        } else {
            "left chance"
        },
        epochs(r),
        list(&x, 3),
        r.data.classes.len(),
        list(&final_accuracies(r, INITS[0]), 2),
        list(&k, 3),
        list(&final_accuracies(r, INITS[1]), 2),
        km / xm,
    );
    Judgement::new(ok, text)
}

fn judge_adam(r: &Results) -> Judgement {
    let Some(r) = study(r) else {
        return Judgement::unreadable("study");
    };
    let (x, k) = (final_losses(r, INITS[0]), final_losses(r, INITS[1]));
    let chance = chance_loss(r);
    let trained = x.iter().chain(&k).all(|l| *l < 0.5 * chance);
    let (xc, kc) = (mean_curve(r, INITS[0]), mean_curve(r, INITS[1]));
    let ok = trained && kc < xc;
    let text = format!(
        "under Adam at depth {DEPTH} xavier-normal {} (final training loss {}, validation \
         accuracy {}; ln {} = {chance:.3}) and kaiming-normal reached {} (accuracy {}); mean \
         training loss over the {} epochs: xavier-normal {xc:.3}, kaiming-normal {kc:.3}.",
        if x.iter().all(|l| *l < 0.5 * chance) {
            "trained"
        } else {
            "did not train in every repeat"
        },
        list(&x, 3),
        list(&final_accuracies(r, INITS[0]), 2),
        r.data.classes.len(),
        list(&k, 3),
        list(&final_accuracies(r, INITS[1]), 2),
        epochs(r),
    );
    Judgement::new(ok, text)
}
