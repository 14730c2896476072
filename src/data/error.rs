//! Errors of the data layer: each names the file and, where it applies, the line and column,
//! so a user can open the file and fix it without guessing.

use thiserror::Error;

/// Everything that can go wrong between a CSV file and a prepared training set.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DataError {
    #[error("{file}: cannot read the file: {message}")]
    Io { file: String, message: String },

    #[error("{file}: the file is empty")]
    Empty { file: String },

    #[error("{file}: the file has a header but no data rows")]
    HeaderOnly { file: String },

    #[error(
        "{file}: line {line}: not UTF-8 text (a binary file, or text saved as Latin-1 or another encoding?)"
    )]
    NotText { file: String, line: u64 },

    #[error("{file}: line {line}: {found} fields, but the header has {expected}")]
    Ragged {
        file: String,
        line: u64,
        found: usize,
        expected: usize,
    },

    #[error("{file}: line {line}: malformed CSV: {message}")]
    Malformed {
        file: String,
        line: u64,
        message: String,
    },

    #[error(
        "{file}: line {line}, column '{column}': '{value}' is not a number, but the rest of the column is numeric"
    )]
    StrayText {
        file: String,
        line: u64,
        column: String,
        value: String,
    },

    #[error("{file}: no column named '{target}' (columns: {available})")]
    UnknownTarget {
        file: String,
        target: String,
        available: String,
    },

    #[error(
        "{file}: target column '{column}' has {classes} class(es) after dropping missing values; at least 2 are needed"
    )]
    OneClass {
        file: String,
        column: String,
        classes: usize,
    },

    #[error(
        "{file}: target column '{column}' holds text ({example:?}), so it cannot be a regression target"
    )]
    TextRegressionTarget {
        file: String,
        column: String,
        example: String,
    },

    #[error("{file}: no usable feature columns (every column is the target, ignored or free text)")]
    NoFeatures { file: String },

    #[error(
        "{file}: {rows} usable row(s) left after dropping missing values; at least {needed} are needed for a train/validation split"
    )]
    TooFewRows {
        file: String,
        rows: usize,
        needed: usize,
    },

    #[error("invalid setting '{field}': {message}")]
    Setting { field: String, message: String },
}
