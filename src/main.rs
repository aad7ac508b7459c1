use std::process::ExitCode;

use clap::Parser;

use flagops::{cli::Cli, commands, exit::Exit, output};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            output::print_error(&format!("{err:#}"));
            Exit::Failure.into()
        }
    }
}
