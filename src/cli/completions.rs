//! `borderwatch completions SHELL`: the shell's completion script, made from the command
//! definitions so that it never drifts from them.

use clap_complete::Shell;

use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Prints the completion script of `command` for the chosen shell, e.g.
/// `borderwatch completions bash > ~/.local/share/bash-completion/completions/borderwatch`.
pub fn run(args: Args, mut command: clap::Command) -> Result<i32, Error> {
    let name = command.get_name().to_string();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    clap_complete::generate(args.shell, &mut command, name, &mut out);
    std::io::Write::flush(&mut out).map_err(Error::output)?;
    Ok(0)
}
