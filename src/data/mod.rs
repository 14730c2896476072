//! The data layer: CSV loading that survives real files, and preparation for training.

pub mod bundled;
mod encode;
mod error;
mod load;
mod prepare;
mod prepared;
mod sniff;
mod split;
mod table;
mod target;

pub use error::DataError;
pub use load::{LoadProgress, load_csv, parse_csv};
pub use prepare::{prepare, prepare_split};
pub use prepared::{
    ClassCount, DataSummary, ExcludedColumn, FeatureInfo, MissingPolicy, PrepareOptions,
    PreparedData, Targets, Task, TaskChoice,
};
pub use sniff::{is_missing, parse_cell, sniff_delimiter};
pub use split::SplitPlan;
pub use table::{Column, ColumnData, ColumnKind, MISSING_CODE, Table};
pub use target::{TARGET_NAMES, TargetGuess, guess_target};
