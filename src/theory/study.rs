//! The theory of one study, as the app's Theory tab and the report draw it: the phase diagram of
//! the study's activation with its critical line and trainable-depth contours, each
//! initializer's place on it, and (when data is at hand) the same quantities measured on the
//! arm the study draws.

use super::{
    InitCoordinates, JacobianSpectrum, LayerMeasurement, MeanField, PhasePoint, coordinates,
    critical_sigma_w2, jacobian_spectrum, measure,
};
use crate::activation::Activation;
use crate::init::init_arm;
use crate::study::StudySpec;

/// Above this many parameters per network the measured side is skipped (it runs on the host,
/// per initializer, whenever the study changes).
pub const MEASURE_MAX_PARAMS: usize = 2_000_000;

/// Rows of the probe batch whose Jacobians are pooled.
const JACOBIAN_ROWS: usize = 4;

/// One initializer of the study.
#[derive(Debug, Clone, PartialEq)]
pub struct InitTheory {
    pub name: String,
    pub coords: InitCoordinates,
    /// The point that stands for the network on the diagram: its first hidden-to-hidden layer
    /// (the first layer when there is one hidden layer); `None` for LSUV.
    pub point: Option<PhasePoint>,
    pub measured: Option<Vec<LayerMeasurement>>,
    pub spectrum: Option<JacobianSpectrum>,
}

/// Everything the Theory views show for a study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyTheory {
    pub activation: Activation,
    /// Hidden layers of the study's model: the depth marked on the diagram.
    pub depth: usize,
    pub inits: Vec<InitTheory>,
}

/// The theory of `spec` for data with `n_in` inputs and `n_out` outputs; with `probe` (the
/// study's probe rows, `[rows, n_in]`) also the measured side, drawn exactly as repeat 0 draws.
pub fn study_theory(
    spec: &StudySpec,
    (n_in, n_out): (usize, usize),
    probe: Option<&[f32]>,
) -> StudyTheory {
    let dims = spec.model.dims(n_in, n_out);
    let params: usize = dims.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    let probe = probe.filter(|_| params <= MEASURE_MAX_PARAMS);
    let inits = spec
        .initializers
        .iter()
        .map(|init| {
            let coords = coordinates(init, &spec.model, (n_in, n_out), 1.0);
            let layer = usize::from(coords.layers.len() > 2);
            let point = coords.layers.get(layer).and_then(|l| l.point);
            let (measured, spectrum) = match probe {
                Some(rows) => measured_side(spec, init, &dims, rows),
                None => (None, None),
            };
            InitTheory {
                name: init.to_string(),
                coords,
                point,
                measured,
                spectrum,
            }
        })
        .collect();
    StudyTheory {
        activation: spec.model.activation,
        depth: spec.model.hidden.len(),
        inits,
    }
}

/// Lengths, correlations and gradients per layer, and the Jacobian spectrum pooled over the
/// first probe rows, on the arm repeat 0 draws.
fn measured_side(
    spec: &StudySpec,
    init: &crate::init::Initializer,
    dims: &[usize],
    rows: &[f32],
) -> (Option<Vec<LayerMeasurement>>, Option<JacobianSpectrum>) {
    let arm = init_arm(
        init,
        dims,
        spec.model.init_settings(),
        spec.seed,
        0,
        init.needs_data().then_some(rows),
    );
    let act = spec.model.activation;
    let measured = measure(&arm, act, rows, spec.seed).ok();
    let n_in = dims[0];
    let spectra: Vec<JacobianSpectrum> = rows
        .chunks_exact(n_in)
        .take(JACOBIAN_ROWS)
        .filter_map(|x| jacobian_spectrum(&arm, act, x).ok())
        .collect();
    let spectrum = (!spectra.is_empty()).then(|| JacobianSpectrum::pooled(&spectra));
    (measured, spectrum)
}

/// The phase diagram of one activation over [0, w_max] x [0, b_max]: the critical line and,
/// for each depth level, where 6 xi_c equals it on the ordered and on the chaotic side.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseDiagram {
    /// (sigma_w2, sigma_b2) points of chi_1 = 1.
    pub critical: Vec<[f64; 2]>,
    /// The contours 6 xi_c = level.
    pub contours: Vec<Contour>,
}

/// (level, ordered-side points, chaotic-side points) of the contour 6 xi_c = level.
pub type Contour = (f64, Vec<[f64; 2]>, Vec<[f64; 2]>);

/// Computes the diagram on a `nw` x `nb` grid (each chaotic point solves the correlation map,
/// about a millisecond: keep the grid small and cache the result per activation).
pub fn phase_diagram(
    activation: Activation,
    (w_max, b_max): (f64, f64),
    (nw, nb): (usize, usize),
    levels: &[f64],
) -> PhaseDiagram {
    let ws: Vec<f64> = (1..=nw).map(|i| w_max * i as f64 / nw as f64).collect();
    let bs: Vec<f64> = (0..nb)
        .map(|i| b_max * i as f64 / (nb - 1).max(1) as f64)
        .collect();
    let critical = bs
        .iter()
        .filter_map(|&b| critical_sigma_w2(activation, b).map(|w| [w, b]))
        .filter(|p| p[0] <= w_max)
        .collect();
    let depth: Vec<Vec<f64>> = bs
        .iter()
        .map(|&b| {
            ws.iter()
                .map(|&w| {
                    MeanField::new(activation, w, b).map_or(f64::NAN, |m| m.phase_point().max_depth)
                })
                .collect()
        })
        .collect();
    let contours = levels
        .iter()
        .map(|&level| {
            let (mut ordered, mut chaotic) = (Vec::new(), Vec::new());
            for (row, &b) in depth.iter().zip(&bs) {
                let crit = critical_sigma_w2(activation, b).unwrap_or(f64::INFINITY);
                for j in 1..ws.len() {
                    let (d0, d1) = (row[j - 1] - level, row[j] - level);
                    if d0.is_finite() && d1.is_finite() && d0 * d1 <= 0.0 && d0 != d1 {
                        let w = ws[j - 1] + (ws[j] - ws[j - 1]) * d0 / (d0 - d1);
                        if w < crit {
                            ordered.push([w, b]);
                        } else {
                            chaotic.push([w, b]);
                        }
                    }
                }
            }
            (level, ordered, chaotic)
        })
        .collect();
    PhaseDiagram { critical, contours }
}

/// 6 xi_c (Schoenholz et al.'s trainable depth) of `init` in `spec`'s model with its weights
/// multiplied by `gain`: sigma_w^2 of a hidden-to-hidden layer times gain^2, sigma_b^2 from a
/// normal bias (0 for a constant one). Infinite at the critical point; `None` for LSUV.
pub fn trainable_depth(
    spec: &StudySpec,
    init: &crate::init::Initializer,
    gain: f64,
) -> Option<f64> {
    let width = spec.model.hidden.first().copied().unwrap_or(1);
    let act = spec.model.activation;
    let w2 = super::sigma_w2(init, width, width, act)? * gain * gain;
    let b2 = match spec.model.bias {
        crate::init::BiasInit::Normal(s) => f64::from(s).powi(2),
        crate::init::BiasInit::Constant(_) => 0.0,
    };
    MeanField::new(act, w2, b2)
        .ok()
        .map(|m| m.phase_point().max_depth)
}
