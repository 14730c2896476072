//! The allowed range of every numeric study field, in one place: `StudySpec::validate` checks
//! them and the app's widgets take their ranges from them, so a study that the CLI accepts opens
//! in the app unchanged (a narrower widget range used to clamp it silently).

use std::ops::RangeInclusive;

use super::{StudyError, StudySpec};

/// Namespace for the field limits.
pub struct Limits;

impl Limits {
    pub const REPEATS: RangeInclusive<usize> = 1..=1000;
    pub const EPOCHS: RangeInclusive<usize> = 1..=100_000;
    pub const BATCH_SIZE: RangeInclusive<usize> = 1..=1_000_000;
    /// Hidden layer width.
    pub const WIDTH: RangeInclusive<usize> = 1..=65_536;
    pub const HIDDEN_LAYERS: RangeInclusive<usize> = 0..=200;
    /// Learning rate: positive; the bounds keep the app's logarithmic slider usable.
    pub const LR: RangeInclusive<f64> = 1e-8..=10.0;
    pub const MOMENTUM: RangeInclusive<f64> = 0.0..=0.999;
    /// Gain on the weights' spread (a sweep axis): positive and bounded.
    pub const GAIN: RangeInclusive<f64> = 1e-6..=100.0;
    /// sigma_b of `normal:STD` biases.
    pub const BIAS_STD: RangeInclusive<f64> = 0.0..=100.0;
    /// Validation fraction: both ends leave at least one row in each split on small data.
    pub const VAL_FRACTION: RangeInclusive<f64> = 0.01..=0.99;

    /// Checks every limited field of `spec`; the error names the field as the study file does.
    pub fn check(spec: &StudySpec) -> Result<(), StudyError> {
        within("repeats", spec.repeats, &Self::REPEATS)?;
        within("epochs", spec.train.epochs, &Self::EPOCHS)?;
        within("batch_size", spec.train.batch_size, &Self::BATCH_SIZE)?;
        within("hidden", spec.model.hidden.len(), &Self::HIDDEN_LAYERS)
            .map_err(|_| StudyError::invalid("hidden", too_deep(spec)))?;
        if let Some(w) = spec.model.hidden.iter().find(|w| !Self::WIDTH.contains(w)) {
            return Err(StudyError::invalid(
                "hidden",
                format!(
                    "widths must be between {} and {}, got {w}",
                    Self::WIDTH.start(),
                    Self::WIDTH.end()
                ),
            ));
        }
        within("lr", spec.train.lr, &Self::LR)?;
        within("gain", f64::from(spec.model.gain), &Self::GAIN)?;
        if let crate::init::BiasInit::Normal(s) = spec.model.bias {
            within("bias", f64::from(s), &Self::BIAS_STD)?;
        }
        within("momentum", spec.train.optimizer.momentum, &Self::MOMENTUM)?;
        within(
            "val_fraction",
            spec.prepare.val_fraction,
            &Self::VAL_FRACTION,
        )
    }
}

fn too_deep(spec: &StudySpec) -> String {
    format!(
        "at most {} hidden layers, got {}",
        Limits::HIDDEN_LAYERS.end(),
        spec.model.hidden.len()
    )
}

/// `value` within `range` (NaN never is), or an error naming `field` and the range.
fn within<T>(field: &str, value: T, range: &RangeInclusive<T>) -> Result<(), StudyError>
where
    T: PartialOrd + std::fmt::Display,
{
    if range.contains(&value) {
        Ok(())
    } else {
        Err(StudyError::invalid(
            field,
            format!(
                "must be between {} and {}, got {value}",
                range.start(),
                range.end()
            ),
        ))
    }
}
