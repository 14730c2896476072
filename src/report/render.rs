//! HTML and Markdown renderings of the report's blocks.

use super::document::{Block, Line, Span};
use super::escape;

const CSS: &str = "
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.3em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.headline{font-size:1.15em;background:#f3f7fb;border-left:4px solid #1f77b4;padding:.7em 1em;margin:1em 0}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}figcaption{font-size:.9em;color:#555;margin-bottom:.3em}
figure svg{max-width:100%;height:auto}
.note{font-size:.85em;color:#555}code{font-size:.9em;background:#f4f4f4;padding:0 .2em;word-break:break-all}
dl{display:grid;grid-template-columns:max-content auto;gap:.3em 1em}dt{font-weight:600}dd{margin:0}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}.headline{border:1px solid #999}}
";

fn html_line(line: &Line) -> String {
    line.iter()
        .map(|s| match s {
            Span::Plain(t) | Span::User(t) => escape::html(t),
            Span::Code(t) => format!("<code>{}</code>", escape::html(t)),
        })
        .collect()
}

/// One self-contained page: inline CSS and SVG, no scripts, no external resources.
pub fn html(blocks: &[Block<'_>]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(html_line(t)),
            _ => None,
        })
        .unwrap_or_else(|| "initlab report".into());
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    );
    for b in blocks {
        out += &html_block(b);
    }
    out += "</body>\n</html>\n";
    out
}

fn html_block(b: &Block<'_>) -> String {
    match b {
        Block::Title(t) => format!("<h1>{}</h1>\n", html_line(t)),
        Block::Heading(h) => format!("<h2>{}</h2>\n", escape::html(h)),
        Block::Headline(l) => format!(
            "<p class=\"headline\"><strong>{}</strong></p>\n",
            html_line(l)
        ),
        Block::Paragraph(l) => format!("<p>{}</p>\n", html_line(l)),
        Block::Bullets(items) => {
            let items: String = items
                .iter()
                .map(|i| format!("<li>{}</li>\n", html_line(i)))
                .collect();
            format!("<ul>\n{items}</ul>\n")
        }
        Block::Table { header, rows, note } => html_table(header, rows, note.as_deref()),
        Block::Chart(c) => format!(
            "<figure>\n<figcaption>{}</figcaption>\n{}\n</figure>\n",
            escape::html(&c.title),
            strip_xml_decl(&c.svg)
        ),
        Block::Pairs(pairs) => {
            let pairs: String = pairs
                .iter()
                .map(|(k, v)| format!("<dt>{}</dt><dd>{}</dd>\n", escape::html(k), html_line(v)))
                .collect();
            format!("<dl>\n{pairs}</dl>\n")
        }
    }
}

fn html_table(header: &[String], rows: &[Vec<Line>], note: Option<&str>) -> String {
    let mut out = "<table>\n<thead><tr>".to_owned();
    for h in header {
        out += &format!("<th>{}</th>", escape::html(h));
    }
    out += "</tr></thead>\n<tbody>\n";
    // The initializer column reads as text; the others are numbers.
    let text_column = header.iter().position(|h| h == "initializer");
    for r in rows {
        out += "<tr>";
        for (k, c) in r.iter().enumerate() {
            let class = if Some(k) == text_column {
                ""
            } else {
                " class=\"num\""
            };
            out += &format!("<td{class}>{}</td>", html_line(c));
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    if let Some(n) = note {
        out += &format!("<p class=\"note\">{}</p>\n", escape::html(n));
    }
    out
}

/// Inline SVG needs neither an XML declaration nor the namespace attribute (HTML5 implies it),
/// which also keeps the page free of any `http` reference.
fn strip_xml_decl(svg: &str) -> String {
    let body = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(svg, |(_, r)| r.trim_start()),
        None => svg,
    };
    body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn md_line(line: &Line) -> String {
    line.iter()
        .map(|s| match s {
            Span::Plain(t) => t.replace('|', "\\|").replace('\n', " "),
            Span::User(t) => escape::markdown(t),
            Span::Code(t) => format!("`{}`", t.replace('`', "'")),
        })
        .collect()
}

/// Markdown with the charts as `.svg` files beside it.
pub fn markdown(blocks: &[Block<'_>]) -> String {
    blocks.iter().map(md_block).collect()
}

fn md_block(b: &Block<'_>) -> String {
    match b {
        Block::Title(t) => format!("# {}\n\n", md_line(t)),
        Block::Heading(h) => format!("## {h}\n\n"),
        Block::Headline(l) => format!("**{}**\n\n", md_line(l)),
        Block::Paragraph(l) => format!("{}\n\n", md_line(l)),
        Block::Bullets(items) => {
            let items: String = items
                .iter()
                .map(|i| format!("- {}\n", md_line(i)))
                .collect();
            format!("{items}\n")
        }
        Block::Table { header, rows, note } => md_table(header, rows, note.as_deref()),
        Block::Chart(c) => format!("![{}]({}.svg)\n\n", c.title, c.stem),
        Block::Pairs(pairs) => {
            let pairs: String = pairs
                .iter()
                .map(|(k, v)| format!("- **{k}:** {}\n", md_line(v)))
                .collect();
            format!("{pairs}\n")
        }
    }
}

fn md_table(header: &[String], rows: &[Vec<Line>], note: Option<&str>) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out += &format!("|{}\n", "---|".repeat(header.len()));
    for r in rows {
        out += &format!(
            "| {} |\n",
            r.iter().map(md_line).collect::<Vec<_>>().join(" | ")
        );
    }
    out += "\n";
    if let Some(n) = note {
        out += &format!("*{n}*\n\n");
    }
    out
}
