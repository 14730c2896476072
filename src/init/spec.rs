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

    /// A random scheme whose spread a sweep's gain scales: not the constants, and not LSUV,
    /// which sets each layer's variance from data.
    pub fn is_random(&self) -> bool {
        !matches!(
            self,
            Initializer::Zeros | Initializer::Ones | Initializer::Constant(_) | Initializer::Lsuv
        )
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

impl FromStr for Initializer {
    type Err = ParseInitError;

    /// `name[:parameter][,option=value...]`: the parameters are parsed first, then the name is
    /// looked up in [`SCHEMES`], whose entry says which options it takes and builds the value.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let params = Params::parse(text.trim())?;
        let Some(scheme) = SCHEMES
            .iter()
            .find(|s| s.names.contains(&params.name.as_str()))
        else {
            return Err(err(format!("unknown initializer '{}'", text.trim())));
        };
        params.check_options(scheme.takes)?;
        (scheme.build)(&params)
    }
}

/// The options a scheme accepts besides its positional parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    Gain,
    GainAndMode,
}

/// One scheme as the parser knows it: every spelling users type (`glorot-*` and `he-*` are the
/// names Keras and the papers use), the options, and how to build it from the parsed parameters.
struct Scheme {
    names: &'static [&'static str],
    takes: Takes,
    build: fn(&Params) -> Result<Initializer, ParseInitError>,
}

const SCHEMES: [Scheme; 17] = [
    Scheme {
        names: &["zeros", "zero"],
        takes: Takes::Nothing,
        build: |p| p.alone(Initializer::Zeros),
    },
    Scheme {
        names: &["ones"],
        takes: Takes::Nothing,
        build: |p| p.alone(Initializer::Ones),
    },
    Scheme {
        names: &["constant"],
        takes: Takes::Nothing,
        build: |p| Ok(Initializer::Constant(p.number("value")?)),
    },
    Scheme {
        names: &["uniform"],
        takes: Takes::Nothing,
        build: |p| Ok(Initializer::Uniform(p.positive("bound", "the bound")?)),
    },
    Scheme {
        names: &["normal"],
        takes: Takes::Nothing,
        build: |p| {
            Ok(Initializer::Normal(
                p.positive("standard deviation", "the std")?,
            ))
        },
    },
    Scheme {
        names: &["trunc-normal", "truncated-normal"],
        takes: Takes::Nothing,
        build: |p| {
            Ok(Initializer::TruncNormal(
                p.positive("standard deviation", "the std")?,
            ))
        },
    },
    Scheme {
        names: &["xavier-uniform", "glorot-uniform"],
        takes: Takes::Gain,
        build: |p| p.alone(Initializer::XavierUniform(p.gain())),
    },
    Scheme {
        names: &["xavier-normal", "glorot-normal"],
        takes: Takes::Gain,
        build: |p| p.alone(Initializer::XavierNormal(p.gain())),
    },
    Scheme {
        names: &["kaiming-uniform", "he-uniform"],
        takes: Takes::GainAndMode,
        build: |p| p.alone(Initializer::KaimingUniform(p.gain(), p.mode())),
    },
    Scheme {
        names: &["kaiming-normal", "he-normal"],
        takes: Takes::GainAndMode,
        build: |p| p.alone(Initializer::KaimingNormal(p.gain(), p.mode())),
    },
    Scheme {
        names: &["lecun-uniform"],
        takes: Takes::Gain,
        build: |p| p.alone(Initializer::LecunUniform(p.gain())),
    },
    Scheme {
        names: &["lecun-normal"],
        takes: Takes::Gain,
        build: |p| p.alone(Initializer::LecunNormal(p.gain())),
    },
    Scheme {
        names: &["orthogonal"],
        takes: Takes::Gain,
        build: |p| p.alone(Initializer::Orthogonal(p.gain())),
    },
    Scheme {
        names: &["identity", "eye"],
        takes: Takes::Gain,
        build: |p| p.alone(Initializer::Identity(p.gain())),
    },
    Scheme {
        names: &["sparse"],
        takes: Takes::Nothing,
        build: |p| Ok(Initializer::Sparse(p.sparse_k()?)),
    },
    Scheme {
        names: &["pytorch-default", "pytorch"],
        takes: Takes::Nothing,
        build: |p| p.alone(Initializer::PytorchDefault),
    },
    Scheme {
        names: &["lsuv"],
        takes: Takes::Nothing,
        build: |p| p.alone(Initializer::Lsuv),
    },
];

/// `name:params` split up: the name lowercased with `_` read as `-`, at most one positional
/// parameter, and the options (`None` where not given, so an option a scheme does not take is an
/// error even when it names the default).
struct Params<'t> {
    text: &'t str,
    name: String,
    positional: Option<&'t str>,
    gain: Option<Gain>,
    mode: Option<FanMode>,
}

impl<'t> Params<'t> {
    fn parse(text: &'t str) -> Result<Self, ParseInitError> {
        let (name, rest) = text.split_once(':').unwrap_or((text, ""));
        let mut params = Params {
            text,
            name: name.trim().to_ascii_lowercase().replace('_', "-"),
            positional: None,
            gain: None,
            mode: None,
        };
        for item in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            params.add(item)?;
        }
        Ok(params)
    }

    /// One comma-separated item: `gain=...`, `mode=...`, a bare `fan-in`/`fan-out`, or the
    /// positional parameter.
    fn add(&mut self, item: &'t str) -> Result<(), ParseInitError> {
        let name = &self.name;
        match item.split_once('=') {
            Some(("gain", v)) => self.gain = Some(parse_gain(name, v.trim())?),
            Some(("mode", v)) => self.mode = Some(parse_mode(name, v)?),
            Some((k, _)) => {
                return Err(err(format!(
                    "'{name}': unknown option '{k}' (options: gain, mode)"
                )));
            }
            None if matches!(item, "fan-in" | "fan-out" | "fan_in" | "fan_out") => {
                self.mode = Some(parse_mode(name, item)?);
            }
            None if self.positional.is_none() => self.positional = Some(item),
            None => {
                return Err(err(format!(
                    "'{name}': too many parameters in '{}'",
                    self.text
                )));
            }
        }
        Ok(())
    }

    fn check_options(&self, takes: Takes) -> Result<(), ParseInitError> {
        let name = &self.name;
        if takes == Takes::Nothing && (self.gain.is_some() || self.mode.is_some()) {
            return Err(err(format!("'{name}' takes no gain or mode options")));
        }
        if takes != Takes::GainAndMode && self.mode.is_some() {
            return Err(err(format!("'{name}': mode applies to kaiming-* only")));
        }
        Ok(())
    }

    fn gain(&self) -> Gain {
        self.gain.unwrap_or_default()
    }

    fn mode(&self) -> FanMode {
        self.mode.unwrap_or_default()
    }

    /// `init`, for a scheme that takes no positional parameter.
    fn alone(&self, init: Initializer) -> Result<Initializer, ParseInitError> {
        match self.positional {
            None => Ok(init),
            Some(p) => Err(err(format!(
                "'{}' takes no parameter, got '{p}'",
                self.name
            ))),
        }
    }

    /// The positional parameter as a finite number; `what` names it in the error.
    fn number(&self, what: &str) -> Result<f32, ParseInitError> {
        number(&self.name, self.positional, what)
    }

    fn positive(&self, what: &str, short: &str) -> Result<f32, ParseInitError> {
        let v = self.number(what)?;
        if v > 0.0 {
            Ok(v)
        } else {
            Err(err(format!(
                "'{}': {short} must be positive, got {v}",
                self.name
            )))
        }
    }

    fn sparse_k(&self) -> Result<usize, ParseInitError> {
        let k = self.positional.ok_or_else(|| {
            err("'sparse' needs K, the non-zero inputs per unit, e.g. 'sparse:15'".into())
        })?;
        match k.parse::<usize>() {
            Ok(k) if k > 0 => Ok(k),
            _ => Err(err(format!(
                "'sparse': K must be a positive integer, got '{k}'"
            ))),
        }
    }
}

fn number(name: &str, s: Option<&str>, what: &str) -> Result<f32, ParseInitError> {
    let s = s.ok_or_else(|| err(format!("'{name}' needs a {what}, e.g. '{name}:0.1'")))?;
    match s.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(err(format!("'{name}': '{s}' is not a finite number"))),
    }
}

fn parse_gain(name: &str, v: &str) -> Result<Gain, ParseInitError> {
    if v == "auto" {
        return Ok(Gain::Auto);
    }
    match number(name, Some(v), "gain")? {
        g if g > 0.0 => Ok(Gain::Value(g)),
        _ => Err(err(format!("'{name}': gain must be positive"))),
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
