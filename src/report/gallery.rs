//! A gallery experiment's page at the top of its report: the claim and the verdict as the first
//! paragraph, then the citation, the setup and what to look for. The texts come from
//! `results.json`: HTML always escapes them; Markdown shows them as written unless they hold
//! characters that Markdown or HTML would act on, which it then escapes.

use super::document::{Block, Span, plain, user};
use crate::study::Verdict;

/// The title of a gallery report.
pub(super) fn title<'a>(v: &Verdict) -> Block<'a> {
    Block::Title(vec![plain("initlab gallery: "), text(&v.title)])
}

/// The claim and the verdict (first), then the experiment's description.
pub(super) fn blocks<'a>(v: &Verdict) -> Vec<Block<'a>> {
    vec![
        Block::Headline(vec![
            plain("Claim: "),
            text(&v.claim),
            plain(" Verdict: "),
            text(&v.text),
        ]),
        Block::Pairs(vec![
            ("citation".into(), vec![text(&v.citation)]),
            ("setup".into(), vec![text(&v.setup)]),
            ("what to look for".into(), vec![text(&v.look_for)]),
            (
                "experiment".into(),
                vec![Span::Code(format!("initlab gallery {}", v.experiment))],
            ),
        ]),
    ]
}

/// The gallery's own wording reads best unescaped; anything that could act as markup is
/// escaped like any other text from a file.
fn text(s: &str) -> Span {
    if s.contains(['<', '>', '[', ']', '`', '*', '#']) {
        user(s)
    } else {
        plain(s)
    }
}
