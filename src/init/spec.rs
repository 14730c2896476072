//! The initializer names users type (`xavier-uniform`, `normal:0.01`,
//! `kaiming-normal:mode=fan-out,gain=auto`), parsed once for the CLI, study files and the UI.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::activation::Activation;

/// The multiplier of a variance-scaling scheme.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Gain {
    /// PyTorch's default for the scheme: 1, or sqrt 2 for Kaiming.
    #[default]
    Default,
    /// `calculate_gain` of the model's activation.
    Auto,
    Value(f32),
}

/// Which fan a Kaiming initializer preserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FanMode {
    /// Preserves the forward signal's variance.
    #[default]
    FanIn,
    /// Preserves the backward gradient's variance.
    FanOut,
}

/// One entry of the catalogue with its parameters. Formulas are in `init::catalogue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Initializer {
    Zeros,
    Ones,
    Constant(f32),
    Uniform(f32),
    Normal(f32),
    TruncNormal(f32),
    XavierUniform(Gain),
    XavierNormal(Gain),
    KaimingUniform(Gain, FanMode),
    KaimingNormal(Gain, FanMode),
    LecunUniform(Gain),
    LecunNormal(Gain),
    Orthogonal(Gain),
    Identity(Gain),
    Sparse(usize),
    PytorchDefault,
    Lsuv,
}

/// Valid names, for error messages.
pub const NAMES: [&str; 19] = [
    "zeros",
    "ones",
    "constant:V",
    "uniform:A",
    "normal:STD",
    "trunc-normal:STD",
    "xavier-uniform",
    "xavier-normal",
    "kaiming-uniform",
    "kaiming-normal",
    "lecun-uniform",
    "lecun-normal",
    "orthogonal",
    "identity",
    "sparse:K",
    "pytorch-default",
    "lsuv",
    "(options: gain=auto|NUMBER",
    "mode=fan-in|fan-out)",
];

impl Initializer {
    /// The scheme's name without parameters (`normal`, `kaiming-uniform`...).
    pub fn name(&self) -> &'static str {
        match self {
            Initializer::Zeros => "zeros",
            Initializer::Ones => "ones",
            Initializer::Constant(_) => "constant",
            Initializer::Uniform(_) => "uniform",
            Initializer::Normal(_) => "normal",
            Initializer::TruncNormal(_) => "trunc-normal",
            Initializer::XavierUniform(_) => "xavier-uniform",
            Initializer::XavierNormal(_) => "xavier-normal",
            Initializer::KaimingUniform(..) => "kaiming-uniform",
            Initializer::KaimingNormal(..) => "kaiming-normal",
            Initializer::LecunUniform(_) => "lecun-uniform",
            Initializer::LecunNormal(_) => "lecun-normal",
            Initializer::Orthogonal(_) => "orthogonal",
            Initializer::Identity(_) => "identity",
            Initializer::Sparse(_) => "sparse",
            Initializer::PytorchDefault => "pytorch-default",
            Initializer::Lsuv => "lsuv",
        }
    }

    /// The gain this initializer uses with `activation`.
    pub fn gain(&self, activation: Activation) -> f32 {
        let (gain, default) = match self {
            Initializer::XavierUniform(g)
            | Initializer::XavierNormal(g)
            | Initializer::LecunUniform(g)
            | Initializer::LecunNormal(g)
            | Initializer::Orthogonal(g)
            | Initializer::Identity(g) => (*g, 1.0),
            Initializer::KaimingUniform(g, _) | Initializer::KaimingNormal(g, _) => {
                (*g, std::f32::consts::SQRT_2)
            }
            _ => return 1.0,
        };
        match gain {
            Gain::Default => default,
            Gain::Auto => activation.gain(),
            Gain::Value(v) => v,
        }
    }

    /// LSUV rescales layer by layer on a batch of training data.
    pub fn needs_data(&self) -> bool {
        matches!(self, Initializer::Lsuv)
    }
}

impl fmt::Display for Initializer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        let mut opts: Vec<String> = Vec::new();
        match self {
            Initializer::Constant(v)
            | Initializer::Uniform(v)
            | Initializer::Normal(v)
            | Initializer::TruncNormal(v) => opts.push(v.to_string()),
            Initializer::Sparse(k) => opts.push(k.to_string()),
            Initializer::XavierUniform(g)
            | Initializer::XavierNormal(g)
            | Initializer::LecunUniform(g)
            | Initializer::LecunNormal(g)
            | Initializer::Orthogonal(g)
            | Initializer::Identity(g)
            | Initializer::KaimingUniform(g, _)
            | Initializer::KaimingNormal(g, _) => {
                if let Initializer::KaimingUniform(_, FanMode::FanOut)
                | Initializer::KaimingNormal(_, FanMode::FanOut) = self
                {
                    opts.push("mode=fan-out".into());
                }
                match g {
                    Gain::Default => {}
                    Gain::Auto => opts.push("gain=auto".into()),
                    Gain::Value(v) => opts.push(format!("gain={v}")),
                }
            }
            _ => {}
        }
        if opts.is_empty() {
            f.write_str(name)
        } else {
            write!(f, "{name}:{}", opts.join(","))
        }
    }
}

/// A parse error that lists what would have been valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (valid initializers: {})", NAMES.join(", "))]
pub struct ParseInitError {
    pub message: String,
}

fn err(message: String) -> ParseInitError {
    ParseInitError { message }
}

fn number(name: &str, s: Option<&str>, what: &str) -> Result<f32, ParseInitError> {
    let s = s.ok_or_else(|| err(format!("'{name}' needs a {what}, e.g. '{name}:0.1'")))?;
    match s.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(err(format!("'{name}': '{s}' is not a finite number"))),
    }
}

impl FromStr for Initializer {
    type Err = ParseInitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (name, params) = match text.split_once(':') {
            Some((n, p)) => (
                n.trim().to_ascii_lowercase().replace('_', "-"),
                Some(p.trim()),
            ),
            None => (text.to_ascii_lowercase().replace('_', "-"), None),
        };
        let name = name.as_str();
        let mut positional: Option<&str> = None;
        let mut gain = Gain::Default;
        let mut mode = FanMode::FanIn;
        let mut used_options = false;
        for p in params
            .into_iter()
            .flat_map(|p| p.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match p.split_once('=') {
                Some(("gain", v)) => {
                    used_options = true;
                    gain = match v.trim() {
                        "auto" => Gain::Auto,
                        v => Gain::Value(number(name, Some(v), "gain").and_then(|g| {
                            if g > 0.0 {
                                Ok(g)
                            } else {
                                Err(err(format!("'{name}': gain must be positive")))
                            }
                        })?),
                    };
                }
                Some(("mode", v)) => {
                    used_options = true;
                    mode = parse_mode(name, v)?;
                }
                Some((k, _)) => {
                    return Err(err(format!(
                        "'{name}': unknown option '{k}' (options: gain, mode)"
                    )));
                }
                None if matches!(p, "fan-in" | "fan-out" | "fan_in" | "fan_out") => {
                    used_options = true;
                    mode = parse_mode(name, p)?;
                }
                None if positional.is_none() => positional = Some(p),
                None => return Err(err(format!("'{name}': too many parameters in '{text}'"))),
            }
        }
        let scaling = matches!(
            name,
            "xavier-uniform"
                | "xavier-normal"
                | "kaiming-uniform"
                | "kaiming-normal"
                | "lecun-uniform"
                | "lecun-normal"
                | "orthogonal"
                | "identity"
        );
        if used_options && !scaling {
            return Err(err(format!("'{name}' takes no gain or mode options")));
        }
        if mode == FanMode::FanOut && !name.starts_with("kaiming") {
            return Err(err(format!("'{name}': mode applies to kaiming-* only")));
        }
        let positive = |v: f32, what: &str| {
            if v > 0.0 {
                Ok(v)
            } else {
                Err(err(format!("'{name}': {what} must be positive, got {v}")))
            }
        };
        let no_param = |init: Initializer| match positional {
            None => Ok(init),
            Some(p) => Err(err(format!("'{name}' takes no parameter, got '{p}'"))),
        };
        match name {
            "zeros" | "zero" => no_param(Initializer::Zeros),
            "ones" => no_param(Initializer::Ones),
            "constant" => Ok(Initializer::Constant(number(name, positional, "value")?)),
            "uniform" => Ok(Initializer::Uniform(positive(
                number(name, positional, "bound")?,
                "the bound",
            )?)),
            "normal" => Ok(Initializer::Normal(positive(
                number(name, positional, "standard deviation")?,
                "the std",
            )?)),
            "trunc-normal" | "truncated-normal" => Ok(Initializer::TruncNormal(positive(
                number(name, positional, "standard deviation")?,
                "the std",
            )?)),
            "xavier-uniform" | "glorot-uniform" => no_param(Initializer::XavierUniform(gain)),
            "xavier-normal" | "glorot-normal" => no_param(Initializer::XavierNormal(gain)),
            "kaiming-uniform" | "he-uniform" => no_param(Initializer::KaimingUniform(gain, mode)),
            "kaiming-normal" | "he-normal" => no_param(Initializer::KaimingNormal(gain, mode)),
            "lecun-uniform" => no_param(Initializer::LecunUniform(gain)),
            "lecun-normal" => no_param(Initializer::LecunNormal(gain)),
            "orthogonal" => no_param(Initializer::Orthogonal(gain)),
            "identity" | "eye" => no_param(Initializer::Identity(gain)),
            "sparse" => {
                let k = positional.ok_or_else(|| {
                    err("'sparse' needs K, the non-zero inputs per unit, e.g. 'sparse:15'".into())
                })?;
                match k.parse::<usize>() {
                    Ok(k) if k > 0 => Ok(Initializer::Sparse(k)),
                    _ => Err(err(format!(
                        "'sparse': K must be a positive integer, got '{k}'"
                    ))),
                }
            }
            "pytorch-default" | "pytorch" => no_param(Initializer::PytorchDefault),
            "lsuv" => no_param(Initializer::Lsuv),
            _ => Err(err(format!("unknown initializer '{text}'"))),
        }
    }
}

fn parse_mode(name: &str, v: &str) -> Result<FanMode, ParseInitError> {
    match v.trim().replace('_', "-").as_str() {
        "fan-in" => Ok(FanMode::FanIn),
        "fan-out" => Ok(FanMode::FanOut),
        other => Err(err(format!(
            "'{name}': mode must be fan-in or fan-out, got '{other}'"
        ))),
    }
}

impl Serialize for Initializer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Initializer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Bias initialization, fixed for the whole study so it never differs between arms.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BiasInit(pub f32);

impl fmt::Display for BiasInit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0.0 {
            f.write_str("zeros")
        } else {
            write!(f, "constant:{}", self.0)
        }
    }
}

impl FromStr for BiasInit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.parse::<Initializer>() {
            Ok(Initializer::Zeros) => Ok(BiasInit(0.0)),
            Ok(Initializer::Constant(v)) => Ok(BiasInit(v)),
            Ok(Initializer::Ones) => Ok(BiasInit(1.0)),
            _ => Err(format!(
                "bias init must be 'zeros' or 'constant:V', got '{s}'"
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
