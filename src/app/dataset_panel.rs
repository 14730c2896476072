//! The dataset panel: bundled datasets, the loaded file, column roles, preparation settings and
//! the load summary.

use egui::{Color32, RichText};

use super::InitlabApp;
use super::widgets::choice;
use crate::data::bundled::BUNDLED;
use crate::data::{ColumnKind, MissingPolicy, TaskChoice};
use crate::study::DataSource;

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

pub fn ui(app: &mut InitlabApp, ui: &mut egui::Ui) {
    ui.heading("Dataset");
    let running = app.running.is_some();
    ui.add_enabled_ui(!running, |ui| {
        ui.menu_button("Bundled datasets", |ui| {
            for b in &BUNDLED {
                if ui.button(b.name).on_hover_text(b.description).clicked() {
                    app.request_load(DataSource::Bundled(b));
                    ui.close();
                }
            }
        });
    });
    if let Some((source, p)) = &app.loading {
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
    let Some(table) = app.table.clone() else {
        ui.label("No data loaded.");
        return;
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

    ui.add_enabled_ui(!running, |ui| {
        let prep = &mut app.state.spec.prepare;
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
                    .range(0.05..=0.9)
                    .speed(0.01)
                    .fixed_decimals(2),
            )
            .labelled_by(l.id);
            ui.end_row();
        });
    });

    ui.separator();
    ui.label(RichText::new("Columns").strong());
    egui::ScrollArea::vertical()
        .id_salt("columns")
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("columns-grid")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    ui.label("column");
                    ui.label("type");
                    ui.label("role");
                    ui.label("missing");
                    ui.end_row();
                    for (i, c) in table.columns.iter().enumerate() {
                        let prep = &mut app.state.spec.prepare;
                        let role = if c.name == prep.target {
                            Role::Target
                        } else if prep.ignore.contains(&c.name) {
                            Role::Ignored
                        } else if matches!(c.kind, ColumnKind::Text { .. }) {
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
                                    if !matches!(c.kind, ColumnKind::Text { .. }) {
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
                        ui.end_row();
                    }
                });
        });

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

    ui.separator();
    ui.label(RichText::new("What training will see").strong());
    match &app.prepared {
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
