//! initlab: train identical models that differ only in their initial weights, side by side,
//! and report how each initializer fared.

pub mod activation;
pub mod alloc;
pub mod app;
pub mod bench;
pub mod data;
pub mod diagnostics;
pub mod files;
pub mod gallery;
pub mod init;
pub mod model;
pub mod palette;
pub mod report;
pub mod rng;
pub mod simd;
pub mod stats;
pub mod study;
pub mod theory;
pub mod train;
