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

/// 95% confidence interval of the mean (Student t with n - 1 degrees of freedom).
pub fn ci95(x: &[f64]) -> Option<(f64, f64)> {
    let (m, s) = (mean(x)?, std_dev(x)?);
    let half = t_quantile(0.975, (x.len() - 1) as f64) * s / (x.len() as f64).sqrt();
    Some((m - half, m + half))
}
