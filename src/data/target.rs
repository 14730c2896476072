//! A first guess at the column to predict, so a freshly loaded file starts on a sensible target
//! (`species`, not `year` just because `year` comes last). The user can always change it.

use super::table::{Column, Table};

/// The guessed target column and the rule that chose it, in words shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGuess {
    /// The column's (unique) name, as [`Table::column_index`] takes it.
    pub column: String,
    /// E.g. `named like a target: 'species'` or `the last column`.
    pub rule: String,
}

/// Names people give the column to predict, in priority order: generic names first (a file with
/// both `label` and `species` most likely meant `label`), then the names used by well-known
/// datasets (iris `species`, UCI `diagnosis`, wine `quality` and `cultivar`, MNIST-like `digit`,
/// Titanic `survived`, telecom `churn`, house `price`). Words that are as often a
/// feature (`type`, `grade`, `default`) are left out: a wrong guess costs more than no guess.. Compared after [`normalise`], so `Target`,
/// ` class_label ` and `Class-Label` all match.
pub const TARGET_NAMES: [&str; 16] = [
    "target",
    "label",
    "labels",
    "classlabel",
    "class",
    "y",
    "outcome",
    "species",
    "diagnosis",
    "cultivar",
    "digit",
    "survived",
    "churn",
    "quality",
    "category",
    "price",
];

/// Lowercase letters and digits only: `Class_Label ` -> `classlabel`.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Guesses the target: the first name of [`TARGET_NAMES`] some column is named like, else the
/// last column. Columns whose every cell is missing cannot be a target and are skipped by the
/// name rule. `None` only for a table without columns.
pub fn guess_target(table: &Table) -> Option<TargetGuess> {
    let usable = |c: &&Column| c.missing < table.n_rows || table.n_rows == 0;
    let by_name = TARGET_NAMES.iter().find_map(|&wanted| {
        table
            .columns
            .iter()
            .filter(usable)
            .find(|c| normalise(&c.name) == wanted || normalise(&c.original_name) == wanted)
    });
    if let Some(c) = by_name {
        return Some(TargetGuess {
            column: c.name.clone(),
            rule: format!("named like a target: '{}'", c.name),
        });
    }
    table.columns.last().map(|c| TargetGuess {
        column: c.name.clone(),
        rule: "the last column".into(),
    })
}
