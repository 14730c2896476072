//! The data layer: CSV loading that survives real files, and preparation for training.

pub mod bundled;
mod error;
mod load;
mod prepare;
mod sniff;
mod table;

pub use error::DataError;
pub use load::{LoadProgress, load_csv, parse_csv};
pub use prepare::{
    ClassCount, DataSummary, ExcludedColumn, FeatureInfo, MissingPolicy, PrepareOptions,
    PreparedData, Targets, Task, TaskChoice, prepare,
};
pub use sniff::{is_missing, parse_cell, sniff_delimiter};
pub use table::{Column, ColumnData, ColumnKind, MISSING_CODE, Table};
