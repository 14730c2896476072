//! Standard parametrization and muP (maximal update parametrization) for Adam: how each layer's
//! learning rate and the readout's initial weights depend on width.
//!
//! muP as in G. Yang, E. J. Hu et al., "Tensor Programs V: Tuning Large Neural Networks via
//! Zero-Shot Hyperparameter Transfer" (2022), Table 3, column "Adam LR", with the initializer's
//! fan_in-based variance on the input and hidden layers:
//! - input weights and every bias: learning rate unchanged (multiplier 1);
//! - hidden weights (fan_in = width): learning rate times `MUP_BASE_WIDTH / fan_in`;
//! - output (readout) weights: learning rate times `MUP_BASE_WIDTH / fan_in`, and initialised to
//!   zero (the paper's Table 3 gives variance 1/fan_in^2; zero is its limit, which TP V
//!   recommends in its appendix D.2 and the `mup` package's examples use).
//!
//! Relative to `MUP_BASE_WIDTH`, so that at width 64 muP's learning rates equal standard's.

use serde::{Deserialize, Serialize};

use crate::model::layout::{self, Part};

/// The width at which muP's per-layer learning rates equal the study's `lr`.
pub const MUP_BASE_WIDTH: usize = 64;

/// How the learning rate and readout initialisation scale with width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parametrization {
    /// One learning rate for every parameter; the readout drawn by the initializer.
    #[default]
    Standard,
    /// muP for Adam (see the module documentation).
    Mup,
}

impl Parametrization {
    pub const ALL: [Parametrization; 2] = [Parametrization::Standard, Parametrization::Mup];

    pub fn name(self) -> &'static str {
        match self {
            Parametrization::Standard => "standard",
            Parametrization::Mup => "mup",
        }
    }

    pub fn is_standard(&self) -> bool {
        *self == Parametrization::Standard
    }

    /// Learning-rate multiplier of every parameter of a network with layer sizes `dims`
    /// (`[inputs, hidden..., outputs]`), in the flat order `[w0, b0, w1, b1, ...]`.
    pub fn lr_multipliers(self, dims: &[usize]) -> Vec<f64> {
        let layers = dims.len().saturating_sub(1);
        (0..2 * layers)
            .map(|i| match (self, layout::part_of(i)) {
                (Parametrization::Mup, (l, Part::Weight)) if l > 0 => {
                    MUP_BASE_WIDTH as f64 / dims[l].max(1) as f64
                }
                _ => 1.0,
            })
            .collect()
    }

    /// Whether the readout's weights start at zero.
    pub fn zero_readout(self) -> bool {
        self == Parametrization::Mup
    }
}

impl std::fmt::Display for Parametrization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Parametrization {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" | "sp" => Ok(Parametrization::Standard),
            "mup" | "µp" | "μp" => Ok(Parametrization::Mup),
            other => Err(format!(
                "unknown parametrization '{other}' (valid: standard, mup)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_follow_table_3() {
        let dims = [64, 256, 256, 10];
        assert_eq!(
            Parametrization::Standard.lr_multipliers(&dims),
            vec![1.0; 6]
        );
        assert_eq!(
            Parametrization::Mup.lr_multipliers(&dims),
            vec![1.0, 1.0, 0.25, 1.0, 0.25, 1.0]
        );
    }

    /// Files without the field read as standard, and standard is not written: old study files
    /// and results read and write unchanged.
    #[test]
    fn standard_is_the_default_and_is_not_written() {
        let t = crate::train::TrainSpec::default();
        let json = serde_json::to_string(&t).expect("serialize");
        assert!(!json.contains("parametrization"), "{json}");
        let back: crate::train::TrainSpec = serde_json::from_str(&json).expect("read");
        assert_eq!(back.parametrization, Parametrization::Standard);
        let mup = crate::train::TrainSpec {
            parametrization: Parametrization::Mup,
            ..t
        };
        let json = serde_json::to_string(&mup).expect("serialize");
        assert!(json.contains(r#""parametrization":"mup""#), "{json}");
    }
}
