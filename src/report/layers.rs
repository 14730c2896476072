//! The report's "Inside the networks" section: the diagnostics charts, the per-layer findings
//! and one table per end of training.

use super::analysis::{When, layer_profile};
use super::charts::Chart;
use super::document::{Block, Line, plain};
use super::findings::layer_findings;
use super::format::num;
use crate::activation::Activation;
use crate::study::StudyResult;

/// Empty when no run recorded diagnostics.
pub(super) fn layers_section<'a>(r: &StudyResult, charts: &'a [Chart]) -> Vec<Block<'a>> {
    let has = r
        .runs
        .iter()
        .any(|x| x.diagnostics.as_ref().is_some_and(|d| !d.epochs.is_empty()));
    if !has {
        return Vec::new();
    }
    let mut doc = vec![
        Block::Heading("Inside the networks".into()),
        Block::Paragraph(vec![plain(format!(
            "Measured for every network on one fixed batch of {} training rows, at initialization and after every epoch (results.json holds every epoch, plus activation histograms).",
            crate::diagnostics::PROBE_ROWS
        ))]),
    ];
    doc.extend(charts.iter().map(Block::Chart));
    let findings = layer_findings(r);
    if !findings.is_empty() {
        doc.push(Block::Bullets(
            findings.into_iter().map(|f| vec![plain(f)]).collect(),
        ));
    }
    let column = Column::of(r.spec.model.activation);
    doc.push(layer_table(r, column, When::Initialization));
    doc.push(layer_table(r, column, When::End));
    doc
}

/// What a table cell adds to the activation std: the failure mode the activation can have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    /// Bounded activations (tanh, sigmoid, softsign) saturate.
    Saturated,
    /// ReLUs die.
    Dead,
    Neither,
}

impl Column {
    fn of(act: Activation) -> Self {
        match act {
            Activation::Tanh | Activation::Sigmoid | Activation::Softsign => Column::Saturated,
            Activation::Relu => Column::Dead,
            _ => Column::Neither,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Column::Saturated => ", saturated %",
            Column::Dead => ", dead ReLU %",
            Column::Neither => "",
        }
    }
}

/// Per initializer and hidden layer: activation std, the failure fraction, distinct units.
fn layer_table<'a>(r: &StudyResult, column: Column, when: When) -> Block<'a> {
    let hidden = r.spec.model.hidden.len();
    let mut header = vec!["initializer".to_owned()];
    header.extend((1..=hidden).map(|l| format!("layer {l}")));
    let rows = r
        .spec
        .initializer_names()
        .into_iter()
        .map(|name| layer_row(r, &name, column, when))
        .collect();
    let title = match when {
        When::Initialization => "at initialization",
        When::End => "after training",
    };
    Block::Table {
        header,
        rows,
        note: Some(format!(
            "Per hidden layer {title}: activation std{}, distinct hidden units (mean over repeats that did not diverge).",
            column.header()
        )),
    }
}

fn layer_row(r: &StudyResult, name: &str, column: Column, when: When) -> Vec<Line> {
    let std = layer_profile(r, name, when, |l| Some(l.act_std));
    let failed = layer_profile(r, name, when, |l| {
        if column == Column::Saturated {
            l.saturated
        } else {
            l.dead
        }
    });
    let units = layer_profile(r, name, when, |l| Some(l.distinct_units as f64));
    let mut row = vec![vec![plain(name.to_owned())]];
    for ((std, failed), units) in std.iter().zip(&failed).zip(&units) {
        let mut cell = std.map_or("—".to_owned(), num);
        if column != Column::Neither {
            cell += &failed.map_or(String::new(), |s| format!(" · {:.0}%", s * 100.0));
        }
        cell += &units.map_or(String::new(), |u| format!(" · {u:.0} units"));
        row.push(vec![plain(cell)]);
    }
    row
}
