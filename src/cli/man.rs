//! `borderwatch man`: manual pages (roff) made from the command definitions: the main page
//! on standard output, or with `--out DIR` one page per subcommand as well.

use std::path::{Path, PathBuf};

use crate::atomic::write_atomically;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write borderwatch.1 and a page per subcommand (borderwatch-near.1, ...) into DIR
    /// instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The manual section of user commands.
const SECTION: &str = "1";

pub fn run(args: Args, command: clap::Command) -> Result<i32, Error> {
    let Some(dir) = args.out else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        clap_mangen::Man::new(command)
            .render(&mut out)
            .map_err(Error::output)?;
        std::io::Write::flush(&mut out).map_err(Error::output)?;
        return Ok(0);
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let written = write_pages(&dir, command)?;
    eprintln!(
        "borderwatch: wrote {written} manual pages to {} (man -l {}/borderwatch.1)",
        dir.display(),
        dir.display()
    );
    Ok(0)
}

/// Writes the page of `command` and of each of its subcommands (named after their path,
/// as git's are: borderwatch-incidents-check.1); returns how many.
fn write_pages(dir: &Path, command: clap::Command) -> Result<usize, Error> {
    let name = command
        .get_display_name()
        .unwrap_or(command.get_name())
        .to_string();
    let path = dir.join(format!("{name}.{SECTION}"));
    let page = clap_mangen::Man::new(command.clone()).title(name.clone());
    write_atomically(&path, |out| page.render(out))?;
    let mut written = 1;
    let invocation = command
        .get_bin_name()
        .unwrap_or(command.get_name())
        .to_string();
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let page = sub
            .clone()
            .display_name(format!("{name}-{}", sub.get_name()))
            .bin_name(format!("{invocation} {}", sub.get_name()));
        written += write_pages(dir, page)?;
    }
    Ok(written)
}
