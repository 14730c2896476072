//! Descriptive statistics of one sample.

use super::t::t_quantile;

pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Sample standard deviation (n - 1); `None` below two values.
pub fn std_dev(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    Some((x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt())
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom, remembered for the small
/// `df` that repeats give: the live results table needs one per initializer every frame.
fn t975(df: usize) -> f64 {
    use std::sync::OnceLock;
    static KNOWN: [OnceLock<f64>; 128] = [const { OnceLock::new() }; 128];
    match KNOWN.get(df) {
        Some(cell) => *cell.get_or_init(|| t_quantile(0.975, df as f64)),
        None => t_quantile(0.975, df as f64),
    }
}

/// 95% confidence interval of the mean (Student t with n - 1 degrees of freedom).
pub fn ci95(x: &[f64]) -> Option<(f64, f64)> {
    let (m, s) = (mean(x)?, std_dev(x)?);
    let half = t975(x.len() - 1) * s / (x.len() as f64).sqrt();
    Some((m - half, m + half))
}
