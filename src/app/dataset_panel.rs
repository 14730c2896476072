//! The dataset panel: bundled datasets, the loaded file, column roles, preparation settings and
//! the load summary.

use egui::{Color32, RichText};

use std::sync::Arc;

use super::widgets::choice;
use crate::data::bundled::BUNDLED;
use crate::data::{
    Column, ColumnKind, LoadProgress, MissingPolicy, PrepareOptions, PreparedData, Table,
    TargetGuess, TaskChoice,
};
use crate::study::{DataSource, Limits};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Target,
    Feature,
    Ignored,
    Excluded,
}

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::Target => "target",
            Role::Feature => "feature",
            Role::Ignored => "ignored",
            Role::Excluded => "excluded",
        }
    }
}

/// What the panel shows but does not edit.
pub struct DatasetView<'a> {
    pub running: bool,
    pub loading: Option<&'a (DataSource, LoadProgress)>,
    pub table: Option<&'a Table>,
    /// How initlab chose the target of a newly loaded file.
    pub target_guess: Option<&'a TargetGuess>,
    pub prepared: Option<&'a Result<Arc<PreparedData>, String>>,
}

/// Draws the panel, editing `prep`; returns a dataset the user asked to load.
pub fn ui(
    view: &DatasetView<'_>,
    prep: &mut PrepareOptions,
    ui: &mut egui::Ui,
) -> Option<DataSource> {
    ui.heading("Dataset");
    let mut load = None;
    ui.add_enabled_ui(!view.running, |ui| {
        ui.menu_button("Bundled datasets", |ui| {
            for b in &BUNDLED {
                if ui.button(b.name).on_hover_text(b.description).clicked() {
                    load = Some(DataSource::Bundled(b));
                    ui.close();
                }
            }
        });
    });
    if let Some((source, p)) = view.loading {
        loading(ui, source, p);
    }
    let Some(table) = view.table else {
        ui.label("No data loaded.");
        return load;
    };
    ui.label(
        RichText::new(format!(
            "{} — {} rows × {} columns",
            table.source,
            table.n_rows,
            table.columns.len()
        ))
        .strong(),
    );
    if let Some(g) = view.target_guess.filter(|g| g.column == prep.target) {
        ui.label(RichText::new(format!("target chosen: {}", g.rule)).weak())
            .on_hover_text("pick another target in the column list below");
    }
    ui.add_enabled_ui(!view.running, |ui| settings(ui, prep));
    ui.separator();
    ui.label(RichText::new("Columns").strong());
    egui::ScrollArea::vertical()
        .id_salt("columns")
        .max_height(260.0)
        .show(ui, |ui| columns(ui, table, prep, view.running));
    preview(ui, table);
    ui.separator();
    ui.label(RichText::new("What training will see").strong());
    summary(ui, view.prepared);
    load
}

fn loading(ui: &mut egui::Ui, source: &DataSource, p: &LoadProgress) {
    let name = match source {
        DataSource::File(p) => p.display().to_string(),
        DataSource::Bundled(b) => b.file.to_owned(),
    };
    ui.label(format!("loading {name}…"));
    ui.add(
        egui::ProgressBar::new(p.fraction())
            .show_percentage()
            .text(format!("{} rows", p.rows)),
    );
}

/// Task, missing values and the validation fraction.
fn settings(ui: &mut egui::Ui, prep: &mut PrepareOptions) {
    egui::Grid::new("prep-grid").num_columns(2).show(ui, |ui| {
        choice(
            ui,
            "Task",
            &mut prep.task,
            &[
                (TaskChoice::Auto, "auto"),
                (TaskChoice::Classification, "classification"),
                (TaskChoice::Regression, "regression"),
            ],
        );
        choice(
            ui,
            "Missing values",
            &mut prep.missing,
            &[
                (MissingPolicy::DropRow, "drop the row"),
                (MissingPolicy::ImputeMean, "impute training mean"),
            ],
        );
        let l = ui.label("Validation fraction");
        ui.add(
            egui::DragValue::new(&mut prep.val_fraction)
                .range(Limits::VAL_FRACTION)
                .clamp_existing_to_range(false)
                .speed(0.01)
                .fixed_decimals(2),
        )
        .labelled_by(l.id);
        ui.end_row();
    });
}

/// Every column with its inferred type, its role (editable) and its missing count.
fn columns(ui: &mut egui::Ui, table: &Table, prep: &mut PrepareOptions, running: bool) {
    egui::Grid::new("columns-grid")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for h in ["column", "type", "role", "missing"] {
                ui.label(h);
            }
            ui.end_row();
            for (i, c) in table.columns.iter().enumerate() {
                column_row(ui, i, c, prep, running);
                ui.end_row();
            }
        });
}

fn column_row(ui: &mut egui::Ui, i: usize, c: &Column, prep: &mut PrepareOptions, running: bool) {
    let is_text = matches!(c.kind, ColumnKind::Text { .. });
    let role = if c.name == prep.target {
        Role::Target
    } else if prep.ignore.contains(&c.name) {
        Role::Ignored
    } else if is_text {
        Role::Excluded
    } else {
        Role::Feature
    };
    let name = ui.label(&c.name);
    let kind = match &c.kind {
        ColumnKind::Categorical { levels } => format!("categorical ({levels})"),
        k => k.label().to_owned(),
    };
    let kind_label = ui.label(kind);
    if let ColumnKind::Text { reason } = &c.kind {
        kind_label.on_hover_text(reason);
    }
    let mut chosen = role;
    ui.add_enabled_ui(!running, |ui| {
        egui::ComboBox::from_id_salt(("role", i))
            .selected_text(role.label())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, Role::Target, "target");
                if !is_text {
                    ui.selectable_value(&mut chosen, Role::Feature, "feature");
                    ui.selectable_value(&mut chosen, Role::Ignored, "ignored");
                }
            })
            .response
            .labelled_by(name.id);
    });
    if chosen != role {
        prep.ignore.retain(|n| n != &c.name);
        match chosen {
            Role::Target => prep.target = c.name.clone(),
            Role::Ignored => prep.ignore.push(c.name.clone()),
            Role::Feature | Role::Excluded => {}
        }
    }
    ui.label(c.missing.to_string());
}

fn preview(ui: &mut egui::Ui, table: &Table) {
    ui.collapsing("Preview (first rows)", |ui| {
        egui::ScrollArea::both()
            .id_salt("preview")
            .max_height(220.0)
            .show(ui, |ui| {
                egui::Grid::new("preview-grid")
                    .striped(true)
                    .show(ui, |ui| {
                        for c in &table.columns {
                            ui.label(RichText::new(&c.name).strong());
                        }
                        ui.end_row();
                        for row in table.preview.iter().take(12) {
                            for cell in row {
                                let short: String = cell.chars().take(24).collect();
                                ui.label(short);
                            }
                            ui.end_row();
                        }
                    });
            });
    });
}

fn summary(ui: &mut egui::Ui, prepared: Option<&Result<Arc<PreparedData>, String>>) {
    match prepared {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("preparing…");
            });
        }
        Some(Err(e)) => {
            ui.colored_label(Color32::from_rgb(200, 40, 40), format!("Error: {e}"));
        }
        Some(Ok(p)) => {
            ui.label(p.summary.describe());
        }
    }
}
