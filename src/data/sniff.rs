//! Delimiter sniffing and the cell-level rules (missing markers, numbers, decimal commas).

const CANDIDATES: [u8; 3] = [b'\t', b';', b','];

/// Picks the delimiter from the first records of `text`: the candidate that splits them into the
/// same number (>= 2) of fields, preferring tab, then semicolon (a `;` file may hold decimal
/// commas, while a `,` file rarely holds bare semicolons), then comma.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let sample = &text[..text.len().min(64 * 1024)];
    let mut best: Option<(u8, usize)> = None;
    for &d in &CANDIDATES {
        let counts = field_counts(sample, d, 20);
        let Some(&first) = counts.first() else {
            continue;
        };
        if first >= 2 && counts.iter().all(|&c| c == first) {
            return d;
        }
        // No consistent split: remember the candidate giving the most fields on the header.
        if first >= 2 && best.is_none_or(|(_, n)| first > n) {
            best = Some((d, first));
        }
    }
    best.map_or(b',', |(d, _)| d)
}

/// Fields per record for the first `max_records` complete records, honouring double quotes.
fn field_counts(sample: &[u8], delim: u8, max_records: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut in_quotes = false;
    let mut fields = 1;
    let mut empty_line = true;
    for &b in sample {
        if in_quotes {
            if b == b'"' {
                in_quotes = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_quotes = true;
                empty_line = false;
            }
            b'\n' => {
                if !empty_line {
                    counts.push(fields);
                    if counts.len() == max_records {
                        return counts;
                    }
                }
                fields = 1;
                empty_line = true;
            }
            b'\r' => {}
            _ if b == delim => {
                fields += 1;
                empty_line = false;
            }
            _ => empty_line = false,
        }
    }
    counts
}

/// Missing-value markers, compared case-insensitively after trimming. Infinities count as
/// missing: no infinity may reach training.
const MISSING: [&str; 12] = [
    "",
    "na",
    "n/a",
    "nan",
    "null",
    "?",
    "inf",
    "+inf",
    "-inf",
    "infinity",
    "+infinity",
    "-infinity",
];

pub fn is_missing(cell: &str) -> bool {
    let t = cell.trim();
    t.len() <= 9 && MISSING.iter().any(|m| t.eq_ignore_ascii_case(m))
}

/// What a cell turned out to be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Missing,
    Number(f32),
    Text,
}

/// Classifies one cell. With `decimal_comma`, `3,14` reads as 3.14 and `1.234,5` as 1234.5.
pub fn parse_cell(cell: &str, decimal_comma: bool) -> Cell {
    let t = cell.trim();
    if is_missing(t) {
        return Cell::Missing;
    }
    let parsed = if decimal_comma && t.contains(',') {
        let fixed: String = t
            .chars()
            .filter(|&c| c != '.')
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        fixed.parse::<f64>()
    } else {
        t.parse::<f64>()
    };
    match parsed {
        // Rust also parses "inf"/"nan" spellings we did not list; never let them through.
        Ok(v) if v.is_finite() && v.abs() <= f32::MAX as f64 => Cell::Number(v as f32),
        Ok(_) => Cell::Missing,
        Err(_) => Cell::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y\",2\n"), b',');
    }

    #[test]
    fn parses_cells() {
        assert_eq!(parse_cell(" 3.5 ", false), Cell::Number(3.5));
        assert_eq!(parse_cell("3,5", true), Cell::Number(3.5));
        assert_eq!(parse_cell("1.234,5", true), Cell::Number(1234.5));
        assert_eq!(parse_cell("3,5", false), Cell::Text);
        for m in ["", "NA", "n/a", "NaN", "null", "?", "inf", "-Infinity"] {
            assert_eq!(parse_cell(m, false), Cell::Missing, "{m}");
        }
        assert_eq!(parse_cell("1e40", false), Cell::Missing);
        assert_eq!(parse_cell("abc", false), Cell::Text);
    }
}
