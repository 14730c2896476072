//! Pure statistics (no study types: the per-initializer summary lives with the study result).
//! Every test documents its source and the scipy/statsmodels call it matches; tests/stats.rs
//! checks them against numbers from those calls.

mod anova;
mod describe;
mod friedman;
mod multiple;
mod ranks;
mod special;
mod t;
mod wilcoxon;

pub use anova::{OneWay, f_sf, one_way_random};
pub use describe::{ci95, mean, std_dev};
pub use friedman::{Friedman, cd_groups, friedman, nemenyi_cd, nemenyi_q};
pub use multiple::holm;
pub use ranks::{average_ranks, mid_ranks};
pub use special::{
    chi2_sf, ln_gamma, normal_cdf, normal_sf, reg_inc_beta, reg_inc_gamma, reg_inc_gamma_upper,
};
pub use t::{PairedT, paired_t, student_t_cdf, t_quantile, t_two_sided_p, welch};
pub use wilcoxon::{EXACT_MAX_N, Wilcoxon, min_attainable_p, wilcoxon};
