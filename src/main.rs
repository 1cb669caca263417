//! The `borderwatch` command: see `borderwatch --help`.

fn main() {
    std::process::exit(borderwatch::cli::run());
}
