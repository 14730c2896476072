//! initlab: train identical models that differ only in their initial weights, side by side,
//! and report how each initializer fared.

pub mod data;
pub mod rng;
pub mod activation;
pub mod init;
pub mod model;
pub mod train;
pub mod stats;
pub mod study;
pub mod files;
