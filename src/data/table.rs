//! The typed table a CSV becomes: columns stored compactly (numbers as `f32`, text dictionary
//! encoded) so that a large numeric file costs little more than its float matrix.

use serde::{Deserialize, Serialize};

/// Marks a missing text cell in [`ColumnData::Text`] codes.
pub const MISSING_CODE: u32 = u32::MAX;

/// What a column holds and whether it can be a feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnKind {
    /// Every present cell is a finite number.
    Numeric,
    /// Text with few distinct values: one-hot encoded as a feature.
    Categorical { levels: usize },
    /// Identifiers, dates or free text: excluded from features, with the reason shown to the user.
    Text { reason: String },
}

impl ColumnKind {
    pub fn label(&self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical { .. } => "categorical",
            ColumnKind::Text { .. } => "text",
        }
    }
}

/// Cell storage of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// `NaN` marks a missing cell.
    Numeric(Vec<f32>),
    /// Indices into `levels`; [`MISSING_CODE`] marks a missing cell.
    Text {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Unique within the table (duplicates get a `_2`, `_3`... suffix).
    pub name: String,
    /// The header text as written in the file, before disambiguation.
    pub original_name: String,
    pub kind: ColumnKind,
    pub data: ColumnData,
    /// Missing cells (empty, NA, NaN, null, ?, inf...).
    pub missing: usize,
}

impl Column {
    pub fn is_missing(&self, row: usize) -> bool {
        match &self.data {
            ColumnData::Numeric(v) => v[row].is_nan(),
            ColumnData::Text { codes, .. } => codes[row] == MISSING_CODE,
        }
    }

    /// The cell as text, for previews and class labels.
    pub fn cell_text(&self, row: usize) -> String {
        match &self.data {
            ColumnData::Numeric(v) if v[row].is_nan() => String::new(),
            ColumnData::Numeric(v) => format_number(v[row]),
            ColumnData::Text { codes, levels } => match codes[row] {
                MISSING_CODE => String::new(),
                c => levels[c as usize].clone(),
            },
        }
    }
}

/// Shortest text that reads back as the same `f32` (so `5` rather than `5.0`).
pub fn format_number(x: f32) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A loaded CSV: typed columns, the file line of every row, and a raw preview.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File name (or a label for in-memory data), used in every message.
    pub source: String,
    pub delimiter: u8,
    pub columns: Vec<Column>,
    pub n_rows: usize,
    /// 1-based line in the file where each row starts.
    pub row_lines: Vec<u32>,
    /// The first rows as written in the file, for the UI preview.
    pub preview: Vec<Vec<String>>,
    /// SHA-256 of the file's bytes, so a report pins down exactly which data it used.
    pub sha256: String,
}

impl Table {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .or_else(|| self.columns.iter().position(|c| c.original_name == name))
            .or_else(|| {
                self.columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(name))
            })
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}
