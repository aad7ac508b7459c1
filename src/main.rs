use std::process::ExitCode;

use clap::Parser;

use flagops::{cli::Cli, commands, exit::Exit, output};

// check builds and frees millions of small values on every core; glibc's allocator spends
// almost half of that run in malloc and free, mimalloc a fraction of it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Bad usage is a failure to run (1); --help and --version are not.
            let _ = err.print();
            return if err.use_stderr() {
                Exit::Failure
            } else {
                Exit::Clean
            }
            .into();
        }
    };
    match commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            output::print_error(&format!("{err:#}"));
            Exit::Failure.into()
        }
    }
}
