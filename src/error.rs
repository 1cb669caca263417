//! Errors that reach the user: each says what is wrong and where (file:line: field).

use std::fmt;
use std::path::Path;

/// One problem in an input file, printed as `file:line: field: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or `stdin`, `argument 2`) the problem is in.
    pub origin: String,
    /// The 1-based line; 0 when unknown.
    pub line: u64,
    /// The field (column) or part (`header`, `row`, `file`) at fault.
    pub field: String,
    /// What is wrong, and where it helps, what to do.
    pub message: String,
}

impl Problem {
    /// A problem at a line and field of an input.
    pub fn new(origin: &str, line: u64, field: &str, message: &str) -> Problem {
        Problem {
            origin: origin.to_string(),
            line,
            field: field.to_string(),
            message: message.to_string(),
        }
    }

    /// A malformed-CSV problem from the `csv` crate, with its line.
    pub fn from_csv(origin: &str, error: &csv::Error) -> Problem {
        let line = error.position().map_or(0, |p| p.line());
        let message = match error.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("expected {expected_len} fields, found {len}"),
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
            _ => error.to_string(),
        };
        Problem::new(origin, line, "row", &message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.origin, self.line, self.field, self.message
        )
    }
}

/// Why a value, a file or an image is not usable, in words; the caller adds where it was (a
/// file, line and field make a [`Problem`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Reason(pub String);

impl Reason {
    /// The words.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Reason {
        Reason(text)
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Reason {
        Reason(text.to_string())
    }
}

impl From<Reason> for String {
    fn from(reason: Reason) -> String {
        reason.0
    }
}

/// Line numbers of CSV records from their byte offsets. The `csv` crate's own line count is
/// off after CRLF terminators and blank lines, so lines are counted here: a record's line is
/// that of its first byte that is not a line break.
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// Counts lines of `bytes`, whose first byte is on line `first_line`.
    pub fn new(bytes: &'a [u8], first_line: u64) -> LineCounter<'a> {
        LineCounter {
            bytes,
            counted_to: 0,
            line: first_line,
        }
    }

    /// The line of the record starting at byte `start` (offsets must not decrease).
    pub fn line_at(&mut self, start: usize) -> u64 {
        let mut at = start.min(self.bytes.len());
        while at < self.bytes.len() && matches!(self.bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        if at > self.counted_to {
            self.line +=
                memchr::memchr_iter(b'\n', &self.bytes[self.counted_to..at]).count() as u64;
            self.counted_to = at;
        }
        self.line
    }
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file, as given.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// An input had problems; each names its line and field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    /// A command-line value is not usable.
    #[error("{0}")]
    Usage(String),
    /// The database refused a connection, a statement or a row; the text never holds the
    /// password.
    #[error("{0}")]
    Database(String),
    /// Writing the results (to standard output or a stream) failed.
    #[error("writing output: {0}")]
    Output(#[source] std::io::Error),
}

impl Error {
    /// An I/O error on a path.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// Writing the results failed (the text says `writing output: …`).
    pub fn output(source: impl Into<std::io::Error>) -> Error {
        Error::Output(source.into())
    }

    /// Whether the error is a closed output pipe (`borderwatch … | head -1`): the reader has
    /// all it wants, so the command ends quietly.
    pub fn is_closed_pipe(&self) -> bool {
        let (Error::Output(e) | Error::Io { source: e, .. }) = self else {
            return false;
        };
        // A CSV writer's error arrives wrapped in an I/O error of kind `Other`, and a CSV
        // error names no source: unwrap both by hand.
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(error) = next {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return true;
                }
                next = io.get_ref().map(|inner| inner as _);
            } else if let Some(csv::ErrorKind::Io(io)) =
                error.downcast_ref::<csv::Error>().map(csv::Error::kind)
            {
                next = Some(io);
            } else {
                next = error.source();
            }
        }
        false
    }
}
