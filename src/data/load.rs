//! CSV file -> [`Table`]: one streaming pass that stores numbers as `f32` straight away, and a
//! second, cheap pass only for the few columns that turn out to hold text.

use std::collections::HashMap;
use std::path::Path;

use super::error::DataError;
use super::sniff::{Cell, parse_cell, sniff_delimiter};
use super::table::{Column, ColumnData, ColumnKind, MISSING_CODE, Table};

/// Loading progress, reported every few thousand rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadProgress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub rows: usize,
}

impl LoadProgress {
    pub fn fraction(&self) -> f32 {
        if self.bytes_total == 0 {
            1.0
        } else {
            (self.bytes_done as f64 / self.bytes_total as f64) as f32
        }
    }
}

/// Rows kept verbatim for the preview.
const PREVIEW_ROWS: usize = 20;
/// A text column with at most this many distinct values (and no more than half as many as rows)
/// is categorical.
const MAX_CATEGORIES: usize = 50;
const PROGRESS_EVERY: usize = 1 << 14;

/// Reads and types a CSV file.
pub fn load_csv(path: &Path, progress: &mut dyn FnMut(LoadProgress)) -> Result<Table, DataError> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::read(path).map_err(|e| DataError::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    parse_csv(&bytes, &file, progress)
}

/// Types CSV bytes; `file` names the source in errors.
pub fn parse_csv(
    bytes: &[u8],
    file: &str,
    progress: &mut dyn FnMut(LoadProgress),
) -> Result<Table, DataError> {
    let text = check_text(bytes, file)?;
    let delimiter = sniff_delimiter(text);
    let mut reader = csv_reader(text, delimiter);
    let header = read_header(&mut reader, file)?;
    let names = disambiguate(&header);
    let total = bytes.len() as u64;
    // A `;` file is the European convention, where the decimal separator is a comma.
    let pass1 = read_rows(
        &mut reader,
        names.len(),
        delimiter == b';',
        total,
        text,
        file,
        progress,
    )?;
    let n_rows = pass1.row_lines.len();
    if n_rows == 0 {
        return Err(DataError::HeaderOnly { file: file.into() });
    }
    let text_columns = text_columns(&pass1.columns, &names, file)?;
    let text_data = if text_columns.is_empty() {
        HashMap::new()
    } else {
        read_text_columns(text, delimiter, &text_columns, n_rows, file)?
    };
    let columns = type_columns(pass1.columns, text_data, &names, &header, n_rows);
    progress(LoadProgress {
        bytes_done: total,
        bytes_total: total,
        rows: n_rows,
    });
    Ok(Table {
        source: file.into(),
        delimiter,
        columns,
        n_rows,
        row_lines: pass1.row_lines,
        preview: pass1.preview,
        sha256: sha256_hex(bytes),
    })
}

/// Flexible (ragged rows are reported by us, with their line) and headerless (the header is read
/// as a record, so blank lines before it are skipped the same way as between rows).
fn csv_reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

/// The first non-blank record.
fn read_header(reader: &mut csv::Reader<&[u8]>, file: &str) -> Result<Vec<String>, DataError> {
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Err(DataError::Empty { file: file.into() }),
            Ok(true) if is_blank(&record) => continue,
            Ok(true) => return Ok(record.iter().map(str::to_owned).collect()),
            Err(e) => return Err(csv_error(e, file)),
        }
    }
}

/// What the first pass keeps: every column's numbers, the line of every row, the preview.
struct Pass1 {
    columns: Vec<Pass1Column>,
    row_lines: Vec<u32>,
    preview: Vec<Vec<String>>,
}

/// The first pass over the data rows: checks their width and parses every cell as a number.
fn read_rows(
    reader: &mut csv::Reader<&[u8]>,
    width: usize,
    decimal_comma: bool,
    total: u64,
    text: &[u8],
    file: &str,
    progress: &mut dyn FnMut(LoadProgress),
) -> Result<Pass1, DataError> {
    // Guess the row count from the first lines' length, to reserve once.
    let est_rows = estimate_rows(text);
    let mut pass1 = Pass1 {
        columns: (0..width).map(|_| Pass1Column::new(est_rows)).collect(),
        row_lines: Vec::with_capacity(est_rows),
        preview: Vec::new(),
    };
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(e, file))?
    {
        let line = record.position().map_or(0, |p| p.line());
        if is_blank(&record) {
            continue;
        }
        if record.len() != width {
            return Err(DataError::Ragged {
                file: file.into(),
                line,
                found: record.len(),
                expected: width,
            });
        }
        let row = pass1.row_lines.len();
        for (column, cell) in pass1.columns.iter_mut().zip(record.iter()) {
            column.push(cell, decimal_comma, line);
        }
        pass1
            .row_lines
            .push(u32::try_from(line).unwrap_or(u32::MAX));
        if pass1.preview.len() < PREVIEW_ROWS {
            pass1
                .preview
                .push(record.iter().map(str::to_owned).collect());
        }
        if row.is_multiple_of(PROGRESS_EVERY) {
            progress(LoadProgress {
                bytes_done: record.position().map_or(0, |p| p.byte()),
                bytes_total: total,
                rows: row,
            });
        }
    }
    Ok(pass1)
}

/// The columns holding text, which need their raw strings in a second pass; a mostly numeric
/// column with a stray word is an error naming the word's line.
fn text_columns(
    columns: &[Pass1Column],
    names: &[String],
    file: &str,
) -> Result<Vec<usize>, DataError> {
    let mut text_columns = Vec::new();
    for (i, c) in columns.iter().enumerate().filter(|(_, c)| c.text_cells > 0) {
        if let Some((line, value)) = c.stray_word() {
            return Err(DataError::StrayText {
                file: file.into(),
                line,
                column: names[i].clone(),
                value,
            });
        }
        text_columns.push(i);
    }
    Ok(text_columns)
}

/// The final columns: text from the second pass where there is some, numbers otherwise.
fn type_columns(
    columns: Vec<Pass1Column>,
    mut text_data: HashMap<usize, TextColumn>,
    names: &[String],
    header: &[String],
    n_rows: usize,
) -> Vec<Column> {
    columns
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let (data, missing) = match text_data.remove(&i) {
                Some((codes, levels, missing)) => (ColumnData::Text { codes, levels }, missing),
                None => (ColumnData::Numeric(c.values), c.missing),
            };
            Column {
                name: names[i].clone(),
                original_name: header[i].trim().to_owned(),
                kind: infer_kind(&data, n_rows - missing),
                data,
                missing,
            }
        })
        .collect()
}

/// Rejects binary and non-UTF-8 input with the line of the first bad byte; strips a UTF-8 BOM.
fn check_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a [u8], DataError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_of = |pos: usize| 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count() as u64;
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(DataError::NotText {
            file: file.into(),
            line: line_of(pos),
        });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(DataError::NotText {
            file: file.into(),
            line: line_of(e.valid_up_to()),
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::Empty { file: file.into() });
    }
    Ok(bytes)
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty()) && record.len() <= 1
}

fn csv_error(e: csv::Error, file: &str) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    DataError::Malformed {
        file: file.into(),
        line,
        message: e.to_string(),
    }
}

fn estimate_rows(text: &[u8]) -> usize {
    let sample = &text[..text.len().min(64 * 1024)];
    let lines = sample.iter().filter(|&&b| b == b'\n').count().max(1);
    let per_line = sample.len() / lines;
    (text.len() / per_line.max(1))
        .saturating_add(16)
        .min(1 << 28)
}

/// Blank header cells become `column_N`; repeated names get `_2`, `_3`... so every column can be
/// named unambiguously on the command line and in study files.
fn disambiguate(header: &[String]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let base = match h.trim() {
            "" => format!("column_{}", i + 1),
            t => t.to_owned(),
        };
        let mut name = base.clone();
        let mut k = 1;
        while seen.contains_key(&name) {
            k += 1;
            name = format!("{base}_{k}");
        }
        seen.insert(name.clone(), i);
        out.push(name);
    }
    out
}

/// First-pass state of one column: numbers go straight into `values`.
struct Pass1Column {
    values: Vec<f32>,
    missing: usize,
    text_cells: usize,
    /// Up to a few distinct non-numeric words and the line of the first one.
    words: Vec<String>,
    first_word_line: u64,
}

impl Pass1Column {
    fn new(capacity: usize) -> Self {
        Self {
            values: Vec::with_capacity(capacity),
            missing: 0,
            text_cells: 0,
            words: Vec::new(),
            first_word_line: 0,
        }
    }

    fn push(&mut self, cell: &str, decimal_comma: bool, line: u64) {
        match parse_cell(cell, decimal_comma) {
            Cell::Number(v) => self.values.push(v),
            Cell::Missing => {
                self.values.push(f32::NAN);
                self.missing += 1;
            }
            Cell::Text => {
                self.values.push(f32::NAN);
                if self.text_cells == 0 {
                    self.first_word_line = line;
                }
                self.text_cells += 1;
                if self.words.len() <= 3 && !self.words.iter().any(|w| w == cell.trim()) {
                    self.words.push(cell.trim().to_owned());
                }
            }
        }
    }

    /// A column that is numeric but for a few cells of one to three words is a data error, not a
    /// text column: report the first such cell.
    fn stray_word(&self) -> Option<(u64, String)> {
        let numbers = self.values.len() - self.missing - self.text_cells;
        let present = numbers + self.text_cells;
        let mostly_numeric = numbers >= 1 && (self.text_cells * 20 <= present);
        (mostly_numeric && self.words.len() <= 3)
            .then(|| (self.first_word_line, self.words[0].clone()))
    }
}

type TextColumn = (Vec<u32>, Vec<String>, usize);

/// Second pass over the text: dictionary-encodes the given columns.
fn read_text_columns(
    text: &[u8],
    delimiter: u8,
    which: &[usize],
    n_rows: usize,
    file: &str,
) -> Result<HashMap<usize, TextColumn>, DataError> {
    let mut reader = csv_reader(text, delimiter);
    let mut dicts: Vec<HashMap<String, u32>> = vec![HashMap::new(); which.len()];
    let mut out: Vec<TextColumn> = (0..which.len())
        .map(|_| (Vec::with_capacity(n_rows), Vec::new(), 0))
        .collect();
    let mut record = csv::StringRecord::new();
    let mut header_seen = false;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(e, file)),
        }
        if is_blank(&record) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        for (k, &col) in which.iter().enumerate() {
            let cell = record.get(col).unwrap_or("").trim();
            let (codes, levels, missing) = &mut out[k];
            if super::sniff::is_missing(cell) {
                codes.push(MISSING_CODE);
                *missing += 1;
            } else {
                let next = levels.len() as u32;
                let code = *dicts[k].entry(cell.to_owned()).or_insert_with(|| {
                    levels.push(cell.to_owned());
                    next
                });
                codes.push(code);
            }
        }
    }
    Ok(which.iter().copied().zip(out).collect())
}

/// Numeric stays numeric; text is categorical when it has few distinct values, otherwise it is
/// excluded with a reason a user can act on.
fn infer_kind(data: &ColumnData, present: usize) -> ColumnKind {
    let ColumnData::Text { levels, .. } = data else {
        return ColumnKind::Numeric;
    };
    let k = levels.len();
    if k <= MAX_CATEGORIES && (k * 2 <= present || k <= 2) {
        return ColumnKind::Categorical { levels: k };
    }
    let dates = levels
        .iter()
        .take(200)
        .filter(|l| looks_like_date(l))
        .count();
    let reason = if dates * 10 >= levels.len().min(200) * 9 {
        "looks like dates or times; excluded from features".to_owned()
    } else if k == present {
        format!(
            "every value is different ({k} of {present}): an identifier?; excluded from features"
        )
    } else {
        format!("{k} distinct text values in {present} rows: free text?; excluded from features")
    };
    ColumnKind::Text { reason }
}

/// `2024-01-31`, `31/01/2024`, `2024-01-31T12:00`, `12:30:00`...
fn looks_like_date(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let seps = s
        .chars()
        .filter(|c| matches!(c, '-' | '/' | ':' | '.'))
        .count();
    let others = s
        .chars()
        .filter(|c| c.is_alphabetic() && *c != 'T' && *c != 'Z')
        .count();
    digits >= 4 && seps >= 2 && others == 0
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
