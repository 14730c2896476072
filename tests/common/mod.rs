//! Helpers the integration test suites share (each suite uses some of them).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the built `initlab` binary with `args`.
pub fn initlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_initlab"))
        .args(args)
        .output()
        .expect("runs the binary")
}

/// A scratch folder `initlab-{suite}-{pid}-{name}` in the temp dir, emptied (not created), so
/// suites and processes running at once never share one.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("initlab-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
