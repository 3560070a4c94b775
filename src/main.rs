//! The `quotebot` binary: everything happens in the library's `cli` module.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(quotebot::cli::main_with_args())
}
