//! initlab's entry point: no subcommand opens the app, `run` runs a study headless.

mod cli;

fn main() {
    initlab::alloc::tune();
    std::process::exit(cli::main());
}
