//! Hidden-layer activations: the names users type, PyTorch's gain table, and a host-side
//! reference used by LSUV and the diagnostics.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Slope of leaky ReLU for negative inputs (PyTorch's default).
pub const LEAKY_SLOPE: f32 = 0.01;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Activation {
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
    Gelu,
    Selu,
    Softsign,
    Identity,
}

impl Activation {
    pub const ALL: [Activation; 8] = [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
        Activation::Selu,
        Activation::Softsign,
        Activation::Identity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Selu => "selu",
            Activation::Softsign => "softsign",
            Activation::Identity => "identity",
        }
    }

    /// PyTorch's `nn.init.calculate_gain`: the factor that keeps the signal's scale through
    /// the nonlinearity. GELU and softsign are not in PyTorch's table: GELU takes ReLU's sqrt 2
    /// (it behaves like ReLU for |x| > 1), softsign takes 1.
    pub fn gain(self) -> f32 {
        match self {
            Activation::Relu | Activation::Gelu => std::f32::consts::SQRT_2,
            Activation::LeakyRelu => (2.0 / (1.0 + LEAKY_SLOPE * LEAKY_SLOPE)).sqrt(),
            Activation::Tanh => 5.0 / 3.0,
            Activation::Selu => 0.75,
            Activation::Sigmoid | Activation::Softsign | Activation::Identity => 1.0,
        }
    }

    /// Host-side activation, the reference for the Burn forward pass.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu => {
                if x >= 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Gelu => 0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2)),
            Activation::Selu => {
                const ALPHA: f32 = 1.673_263_2;
                const SCALE: f32 = 1.050_701;
                if x > 0.0 {
                    SCALE * x
                } else {
                    SCALE * ALPHA * (x.exp() - 1.0)
                }
            }
            Activation::Softsign => x / (1.0 + x.abs()),
            Activation::Identity => x,
        }
    }
}

/// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for a host reference.
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let y = 1.0
        - (((((1.061_405_4 * t - 1.453_152_1) * t) + 1.421_413_8) * t - 0.284_496_74) * t
            + 0.254_829_6)
            * t
            * (-x * x).exp();
    y.copysign(x)
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let key = match key.as_str() {
            "leakyrelu" => "leaky-relu",
            "linear" | "none" => "identity",
            k => k,
        };
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == key)
            .ok_or_else(|| {
                let names: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
                format!("unknown activation '{s}' (valid: {})", names.join(", "))
            })
    }
}

impl TryFrom<String> for Activation {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Activation> for String {
    fn from(a: Activation) -> String {
        a.name().to_owned()
    }
}
