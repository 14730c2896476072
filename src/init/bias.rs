//! Bias initialization: a constant, or a Gaussian draw whose spread sigma_b is the second axis
//! of the mean-field phase diagram. Either way every arm of a study gets the same biases, so
//! arms still differ only in their weights.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::Initializer;
use crate::rng::{derive_rng, stream};

/// How a study's biases start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BiasInit {
    /// Every bias equal to this value (0: `zeros`).
    Constant(f32),
    /// Biases drawn from N(0, std^2), from a stream keyed by the study seed, the repeat and the
    /// layer (not the initializer): the arms of a repeat share one draw.
    Normal(f32),
}

impl Default for BiasInit {
    fn default() -> Self {
        BiasInit::Constant(0.0)
    }
}

impl BiasInit {
    pub const ZEROS: BiasInit = BiasInit::Constant(0.0);

    /// sigma_b^2 of the mean-field theory: the variance of the draw (a constant has none).
    pub fn variance(self) -> f64 {
        match self {
            BiasInit::Constant(_) => 0.0,
            BiasInit::Normal(s) => f64::from(s) * f64::from(s),
        }
    }

    /// The biases of layer `layer` (`width` units) for repeat `repeat`.
    pub fn draw(self, width: usize, seed: u64, repeat: u64, layer: usize) -> Vec<f32> {
        match self {
            BiasInit::Constant(c) => vec![c; width],
            BiasInit::Normal(std) => {
                let mut rng = derive_rng(seed, &[stream::BIASES, repeat, layer as u64]);
                sample_normal(std, width, &mut rng)
            }
        }
    }
}

fn sample_normal(std: f32, n: usize, rng: &mut impl Rng) -> Vec<f32> {
    match Normal::new(0.0f32, std) {
        Ok(d) => (0..n).map(|_| d.sample(rng)).collect(),
        // A std that is not finite and positive is refused by validation; zero is a constant.
        Err(_) => vec![0.0; n],
    }
}

impl fmt::Display for BiasInit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BiasInit::Constant(c) if *c == 0.0 => f.write_str("zeros"),
            BiasInit::Constant(c) => write!(f, "constant:{c}"),
            BiasInit::Normal(s) => write!(f, "normal:{s}"),
        }
    }
}

impl FromStr for BiasInit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.parse::<Initializer>() {
            Ok(Initializer::Zeros) => Ok(BiasInit::Constant(0.0)),
            Ok(Initializer::Constant(v)) => Ok(BiasInit::Constant(v)),
            Ok(Initializer::Ones) => Ok(BiasInit::Constant(1.0)),
            Ok(Initializer::Normal(std)) => Ok(BiasInit::Normal(std)),
            _ => Err(format!(
                "bias init must be 'zeros', 'constant:V' or 'normal:STD', got '{s}'"
            )),
        }
    }
}

impl Serialize for BiasInit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BiasInit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
