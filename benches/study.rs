//! `cargo bench`: the benchmark workloads, timed end to end (see `initlab bench --help`).

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let digits =
        initlab::bench::digits_8x3().and_then(|w| initlab::bench::run_and_print(&w, 3, threads));
    let synthetic = initlab::bench::synthetic_100k(None)
        .and_then(|w| initlab::bench::run_and_print(&w, 1, threads));
    for r in [digits.map(|_| ()), synthetic.map(|_| ())] {
        if let Err(e) = r {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
