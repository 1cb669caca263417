//! The command line: argument parsing and dispatch, one file per subcommand.
//!
//! Subcommand files import only the shared plumbing: args.rs (what the commands are given)
//! and output.rs (how they write), never each other.
//!
//! Exit codes follow grep and ripgrep: 0 success, 1 nothing found (some names unresolved),
//! 2 an error (bad arguments or input).

mod args;
mod bbox;
mod completions;
mod db;
mod export;
mod extract;
mod geocode;
mod incidents;
mod man;
mod near;
mod output;
mod render;
mod web;
mod whereis;

use clap::{CommandFactory, Parser, Subcommand};

/// Map and query security incidents along the Afghanistan–Tajikistan border, offline.
#[derive(Debug, Parser)]
#[command(name = "borderwatch", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Resolve place names to ranked candidates with coordinates.
    Geocode(geocode::Args),
    /// Say where a point is: country, province, district, nearby places, border distance.
    Where(whereis::Args),
    /// Incidents within R km of a place or point, or the K nearest (geodesic, exact).
    Near(near::Args),
    /// Incidents inside a lon/lat box.
    Bbox(bbox::Args),
    /// Check incident files, or summarise them.
    #[command(subcommand)]
    Incidents(incidents::Command),
    /// Write layers (GeoJSON, GeoJSON sequence, CSV, FlatGeobuf, GeoParquet) for GIS and
    /// web maps.
    Export(export::Args),
    /// The map pack into a folder (default out): every layer in layers/ with a manifest, the
    /// web map in web/ and as the single file map.html, a briefing image map.png.
    Pack(export::PackArgs),
    /// Draft incidents (or list place mentions) from news articles, with their evidence.
    Extract(extract::Args),
    /// PostGIS: `db push` upserts incidents into a shared database.
    Db(db::Args),
    /// A briefing image (PNG or SVG) with legend, scale bar, inset and sources.
    Render(render::Args),
    /// The web map: a static site (--out DIR) or one self-contained HTML file (--single-file).
    Web(web::Args),
    /// A shell completion script (bash, zsh, fish, elvish, powershell) on standard output.
    Completions(completions::Args),
    /// The manual page (roff) on standard output, or every page into --out DIR.
    Man(man::Args),
}

/// Runs the command line and returns the process exit code.
///
/// A closed standard output (`borderwatch … | head -1`) ends the command quietly with 0, as
/// in ripgrep and xsv: the reader has what it wanted.
pub fn run() -> i32 {
    quiet_on_closed_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Geocode(args) => geocode::run(args),
        Command::Where(args) => whereis::run(args),
        Command::Near(args) => near::run(args),
        Command::Bbox(args) => bbox::run(args),
        Command::Incidents(command) => incidents::run(command),
        Command::Export(args) => export::run(args),
        Command::Pack(args) => export::pack(args),
        Command::Extract(args) => extract::run(args),
        Command::Web(args) => web::run(args),
        Command::Render(args) => render::run(args),
        Command::Db(args) => db::run(args),
        Command::Completions(args) => completions::run(args, Cli::command()),
        Command::Man(args) => man::run(args, Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.is_closed_pipe() => 0,
        Err(e) => {
            eprintln!("borderwatch: {e}");
            2
        }
    }
}

/// Makes the panic of `println!` on a closed standard output a quiet exit 0. Commands write
/// through `Error::Output`, which `run` treats the same way; this catches the prints that
/// remain.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        // std's text for EPIPE: "failed printing to stdout: Broken pipe (os error 32)".
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
