//! The activations in f64, with their derivatives, and their shape: the positively homogeneous
//! ones have closed-form Gaussian averages, the others are integrated numerically.

use crate::activation::{Activation, LEAKY_SLOPE};

/// SELU's constants (Klambauer et al. 2017) in full precision.
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// How the Gaussian averages of an activation are taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// phi(x) = x for x > 0 and `slope * x` otherwise (ReLU: 0, identity: 1): closed forms.
    Homogeneous { slope: f64 },
    /// Analytic (tanh, sigmoid, GELU).
    Smooth,
    /// phi or phi' has a kink at 0 (SELU, softsign).
    Kinked,
}

pub fn shape(a: Activation) -> Shape {
    match a {
        Activation::Relu => Shape::Homogeneous { slope: 0.0 },
        // The slope the network really uses (an f32), so theory and measurement agree.
        Activation::LeakyRelu => Shape::Homogeneous {
            slope: f64::from(LEAKY_SLOPE),
        },
        Activation::Identity => Shape::Homogeneous { slope: 1.0 },
        Activation::Tanh | Activation::Sigmoid | Activation::Gelu => Shape::Smooth,
        Activation::Selu | Activation::Softsign => Shape::Kinked,
    }
}

/// phi(x).
pub fn phi(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Relu => x.max(0.0),
        Activation::LeakyRelu => {
            if x >= 0.0 {
                x
            } else {
                f64::from(LEAKY_SLOPE) * x
            }
        }
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => sigmoid(x),
        Activation::Gelu => x * normal_cdf(x),
        Activation::Selu => {
            if x > 0.0 {
                SELU_SCALE * x
            } else {
                SELU_SCALE * SELU_ALPHA * x.exp_m1()
            }
        }
        Activation::Softsign => x / (1.0 + x.abs()),
        Activation::Identity => x,
    }
}

/// phi'(x) (the left derivative at a kink, as the network's backward pass takes it in
/// `model::kernels`; a set of measure zero for the averages).
pub fn dphi(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Relu => f64::from(u8::from(x > 0.0)),
        Activation::LeakyRelu => {
            if x > 0.0 {
                1.0
            } else {
                f64::from(LEAKY_SLOPE)
            }
        }
        Activation::Tanh => 1.0 - x.tanh().powi(2),
        Activation::Sigmoid => {
            let s = sigmoid(x);
            s * (1.0 - s)
        }
        Activation::Gelu => normal_cdf(x) + x * normal_pdf(x),
        Activation::Selu => {
            if x > 0.0 {
                SELU_SCALE
            } else {
                SELU_SCALE * SELU_ALPHA * x.exp()
            }
        }
        Activation::Softsign => (1.0 + x.abs()).powi(-2),
        Activation::Identity => 1.0,
    }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Phi(x), the standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// erf to about 1e-16: the all-positive series erf(x) = 2/sqrt(pi) e^(-x^2) sum (2x^2)^n x /
/// (1 3 5 ... (2n+1)) has no cancellation, unlike the Taylor series; beyond |x| = 6, erf is 1
/// within 2e-17.
pub fn erf(x: f64) -> f64 {
    if x.abs() >= 6.0 {
        return x.signum();
    }
    let two_x2 = 2.0 * x * x;
    let (mut term, mut sum) = (x, x);
    let mut n = 0.0;
    while term.abs() > 1e-17 * sum.abs() {
        n += 1.0;
        term *= two_x2 / (2.0 * n + 1.0);
        sum += term;
    }
    2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp() * sum
}
