//! Writing results: terminal-safe text and simple aligned tables.

use std::io::Write;

pub use crate::untrusted::for_terminal as clean;

/// Writes rows as left-aligned columns separated by two spaces.
pub fn write_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clean(c).into_owned()).collect())
        .collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(header.to_vec())?;
    for row in &rows {
        line(row.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

/// Prints rows as left-aligned columns separated by two spaces, like `println!` (a closed
/// standard output panics, which `cli::run` turns into a quiet exit 0). New code should call
/// [`write_table`] and return its error.
///
/// # Panics
///
/// When standard output cannot be written.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Err(e) = write_table(&mut out, header, rows).and_then(|()| out.flush()) {
        panic!("failed printing to stdout: {e}");
    }
}
