//! How the repeats of a study differ. With `seeds` every repeat validates on the same split, so
//! the spread over repeats covers only the initial draw and the batch order; on small data the
//! split moves a validation loss far more than that (digits: 0.041 to 0.162 for one initializer
//! over six random splits, against a seed-to-seed spread of 0.003), so `splits` and `folds:K`
//! let the data vary too, and `splits:S` crosses S splits with the repeats so that a report can
//! say how much of the spread each source makes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::data::SplitPlan;

/// What varies between the repeats of a study. Within a repeat every arm shares the split, the
/// batch order and the underlying random draw, so arms stay paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatMode {
    /// One split for the whole study; each repeat draws new weights and a new batch order.
    /// What a study file without `repeat_mode` means, so files written before repeat modes
    /// existed re-run unchanged.
    Seeds,
    /// Each repeat also draws its own stratified train/validation split. The default of new
    /// studies: on small data the split dominates the spread.
    Splits,
    /// `splits:S`: S stratified splits crossed with the repeats; repeat r uses split r mod S
    /// (split r being the one `splits` gives repeat r, so `splits:S` with S repeats is `splits`).
    /// Repeats that share a split differ only in their draw, which separates the two sources.
    CrossedSplits(usize),
    /// K-fold cross-validation: repeat r validates on fold r mod K; repeats beyond K draw a new
    /// partition.
    Folds(usize),
}

impl RepeatMode {
    /// Folds are at least 2 and at most this many.
    pub const MAX_FOLDS: usize = 100;

    /// What a study file that does not name a mode means: `seeds`, the only mode before repeat
    /// modes existed (new studies default to `splits`: see `StudySpec::default`).
    pub fn unspecified() -> Self {
        RepeatMode::Seeds
    }

    /// The split repeat `repeat` trains and validates on.
    pub fn plan(self, repeat: usize) -> SplitPlan {
        match self {
            RepeatMode::Seeds => SplitPlan::Fixed,
            RepeatMode::Splits => SplitPlan::Resampled {
                repeat: repeat as u64,
            },
            RepeatMode::CrossedSplits(s) => SplitPlan::Resampled {
                repeat: (repeat % s.max(1)) as u64,
            },
            RepeatMode::Folds(k) => SplitPlan::fold(k, repeat),
        }
    }

    /// Whether repeats train on different data (`splits:1` is the fixed split for all).
    pub fn varies_data(self) -> bool {
        !matches!(self, RepeatMode::Seeds | RepeatMode::CrossedSplits(1))
    }

    /// Which of the study's distinct datasets repeat `repeat` trains on: repeats with the same
    /// index share their split, repeats with different ones do not.
    pub fn data_index(self, repeat: usize) -> usize {
        match self {
            RepeatMode::Seeds => 0,
            RepeatMode::Splits | RepeatMode::Folds(_) => repeat,
            RepeatMode::CrossedSplits(s) => repeat % s.max(1),
        }
    }

    /// How many distinct datasets `repeats` repeats train on.
    pub fn datasets(self, repeats: usize) -> usize {
        match self {
            RepeatMode::Seeds => 1,
            RepeatMode::Splits | RepeatMode::Folds(_) => repeats,
            RepeatMode::CrossedSplits(s) => s.clamp(1, repeats.max(1)),
        }
    }

    /// Whether the split and the draw change together from repeat to repeat, so that their
    /// effects on the spread cannot be told apart.
    pub fn confounded(self) -> bool {
        matches!(self, RepeatMode::Splits | RepeatMode::Folds(_))
    }

    /// The sources of variation that intervals over repeats cover, for reports.
    pub fn sources(self) -> String {
        match self {
            RepeatMode::Seeds => "the initial weights and the batch order (every repeat \
                 validates on the same split, so the intervals do not cover the choice of split)"
                .into(),
            RepeatMode::Splits => "the initial weights, the batch order and the \
                 train/validation split (each repeat draws its own stratified split)"
                .into(),
            RepeatMode::CrossedSplits(1) => "the initial weights and the batch order \
                 (splits:1: every repeat validates on the same split, so the intervals do not \
                 cover the choice of split)"
                .into(),
            RepeatMode::CrossedSplits(s) => format!(
                "the initial weights, the batch order and the train/validation split ({s} \
                 stratified splits crossed with the repeats: repeat r uses split r mod {s}, so \
                 repeats sharing a split differ only in their initialization)"
            ),
            RepeatMode::Folds(_) => "the initial weights, the batch order and the validation \
                 fold (K-fold cross-validation)"
                .into(),
        }
    }

    /// Checks the mode against the study's repeat count (the parser checks the rest).
    pub fn check(self, repeats: usize) -> Result<(), String> {
        match self {
            RepeatMode::CrossedSplits(s) if s > repeats => Err(format!(
                "splits:{s} needs at most as many splits as repeats ({repeats})"
            )),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for RepeatMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepeatMode::Seeds => f.write_str("seeds"),
            RepeatMode::Splits => f.write_str("splits"),
            RepeatMode::CrossedSplits(s) => write!(f, "splits:{s}"),
            RepeatMode::Folds(k) => write!(f, "folds:{k}"),
        }
    }
}

impl FromStr for RepeatMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "seeds" => return Ok(RepeatMode::Seeds),
            "splits" => return Ok(RepeatMode::Splits),
            _ => {}
        }
        if let Some(n) = s.strip_prefix("splits:") {
            return match n.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(RepeatMode::CrossedSplits(n)),
                _ => Err(format!(
                    "splits:S needs a whole number S of at least 1, got '{n}'"
                )),
            };
        }
        let k = s.strip_prefix("folds:").ok_or_else(|| {
            format!("unknown repeat mode '{s}' (valid: seeds, splits, splits:S, folds:K)")
        })?;
        let k: usize = k
            .parse()
            .map_err(|_| format!("folds:K needs a whole number K, got '{k}'"))?;
        if !(2..=Self::MAX_FOLDS).contains(&k) {
            return Err(format!(
                "folds:K needs K between 2 and {}, got {k}",
                Self::MAX_FOLDS
            ));
        }
        Ok(RepeatMode::Folds(k))
    }
}

impl Serialize for RepeatMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RepeatMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
