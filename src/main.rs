//! initlab's entry point: no subcommand opens the app, `run` runs a study headless.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
