//! Theory beside the experiment: what mean-field theory predicts for each initializer before any
//! training, and the same quantities measured on the network actually drawn.
//!
//! - [`mean_field`], [`phase`], [`critical`]: the length and correlation maps of Poole et al.
//!   (2016) and Schoenholz et al. (ICLR 2017), their fixed points q*, c*, the slopes chi_1,
//!   chi_c, the depth scales xi_c, xi_grad, and the critical line chi_1 = 1;
//! - [`coordinates`]: where each initializer of a study sits on that diagram, layer by layer;
//! - [`propagation`], [`jacobian`]: lengths, correlations, gradient norms and the input-output
//!   Jacobian's singular values measured on an arm's real initial weights, on the host;
//! - [`moments`]: the Gaussian averages underneath, in closed form for ReLU-like activations
//!   ([`arc_cosine`]) and otherwise by Gauss–Legendre rules split at 0 ([`gauss_legendre`]),
//!   which measured far more accurate than Gauss–Hermite ([`gauss_hermite`], kept as the
//!   reference rule) once q exceeds about 1.
//!
//! Conventions: h^l = W^l phi(h^(l-1)) + b^l, W_ij ~ N(0, sigma_w2 / fan_in), b_i ~ N(0,
//! sigma_b2); q is a pre-activation's mean square, c the correlation of two inputs'
//! pre-activation vectors.

pub mod arc_cosine;
pub mod coordinates;
pub mod critical;
pub mod gauss_hermite;
pub mod gauss_legendre;
pub mod jacobian;
pub mod linalg;
pub mod mean_field;
pub mod moments;
pub mod nonlinearity;
pub mod phase;
pub mod propagation;
mod roots;
pub mod study;

pub use coordinates::{
    InitCoordinates, LayerCoordinates, coordinates, predict_gradients, predict_lengths, sigma_w2,
};
pub use critical::{chi_1, chi_1_grid, critical_line, critical_sigma_w2, phase_grid};
pub use gauss_hermite::GaussHermite;
pub use jacobian::{JacobianSpectrum, jacobian, jacobian_spectrum};
pub use mean_field::{MeanField, Phase, PhasePoint};
pub use phase::depth_scale;
pub use propagation::{LayerMeasurement, layer_dims, measure, measure_initializer};
pub use study::{
    InitTheory, PhaseDiagram, StudyTheory, phase_diagram, study_theory, trainable_depth,
};

/// The length the network starts from when none is given: standardised inputs (mean square 1)
/// through a first layer with sigma_w2 = 1.
pub const DEFAULT_Q0: f64 = 1.0;
/// Lengths beyond this count as unbounded.
pub const Q_MAX: f64 = 1e10;
/// |chi - 1| within this is critical. Gains are f32 in initlab, so Kaiming's sqrt(2)^2 on ReLU
/// is 2 only to about 6e-8; this keeps it on the critical line.
pub const CRITICAL_TOLERANCE: f64 = 1e-6;

/// Inputs the theory refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TheoryError {
    #[error("{name} must be a finite number >= 0, got {value}")]
    BadVariance { name: &'static str, value: f64 },
    /// Weights, biases and inputs whose sizes do not fit together.
    #[error("{0}")]
    Dimensions(String),
}

/// Serde for an f64 that may be infinite: finite values as numbers, the rest as `null`, which
/// reads back as +infinity (JSON has no infinity).
pub mod finite {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}
