//! One colour per initializer, shared by the app's plots and the report's charts so a colleague
//! sees the same colour for the same arm in both.

/// Tableau 10, reordered so that the first five (the classic preset) are easy to tell apart.
const COLORS: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// The colour of the `i`-th initializer of a study.
pub fn color(i: usize) -> (u8, u8, u8) {
    COLORS[i % COLORS.len()]
}
