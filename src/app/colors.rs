//! Which colour each initializer gets. A colour stays with its initializer for the life of the
//! study: removing one initializer must not recolour the others (colours by list position did),
//! and a newcomer takes the first colour no current initializer uses.

use egui::Color32;
use serde::{Deserialize, Serialize};

/// Text that warns: stale results, a stopped run, a grid over its limit.
pub const WARN: Color32 = Color32::from_rgb(190, 110, 0);

/// Initializer name -> palette index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Colors {
    assigned: Vec<(String, usize)>,
}

impl Colors {
    /// Keeps the colours of `names` that have one, gives the others the lowest free index, and
    /// forgets names no longer listed (so their colours can be reused).
    pub fn sync<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        let names: Vec<&str> = names.into_iter().collect();
        self.assigned.retain(|(n, _)| names.contains(&n.as_str()));
        for name in names {
            if self.index(name).is_none() {
                let free = (0..)
                    .find(|i| self.assigned.iter().all(|(_, j)| j != i))
                    .unwrap_or(0);
                self.assigned.push((name.to_owned(), free));
            }
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.assigned
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    /// The colour of `name` (the first palette colour for a name never synced).
    pub fn of(&self, name: &str) -> Color32 {
        super::widgets::color32(self.index(name).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_one_keeps_the_others_and_a_newcomer_takes_the_free_colour() {
        let mut c = Colors::default();
        c.sync(["a", "b", "c"]);
        let (a, c0) = (c.of("a"), c.of("c"));
        c.sync(["a", "c"]);
        assert_eq!((c.of("a"), c.of("c")), (a, c0));
        c.sync(["a", "c", "d"]);
        assert_eq!(c.of("d"), super::super::widgets::color32(1));
    }
}
