//! What the app remembers between launches (through eframe's storage): the study being edited,
//! where its data came from, and the view settings.

use serde::{Deserialize, Serialize};

use super::colors::Colors;
use crate::study::StudySpec;

/// Persisted state. Runtime things (threads, loaded tables, live results) live in the app.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub spec: StudySpec,
    pub view: ViewSettings,
    /// The text in the path field, for typing paths where no file dialog is available.
    pub path_input: String,
    /// Each initializer's colour, kept for the life of the study.
    pub colors: Colors,
}

/// How the curves are drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewSettings {
    pub log_scale: bool,
    /// EMA factor in [0, 0.95]: 0 draws the raw curve.
    pub smoothing: f32,
    pub show_bands: bool,
    pub show_dataset_panel: bool,
    pub show_study_panel: bool,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self {
            log_scale: true,
            smoothing: 0.0,
            show_bands: true,
            show_dataset_panel: true,
            show_study_panel: true,
        }
    }
}
