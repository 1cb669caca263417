//! Errors that reach the user: each says what is wrong and where (file:line: field).

use std::fmt;
use std::path::Path;

/// One problem in an input file, printed as `file:line: field: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub origin: String,
    pub line: u64,
    pub field: String,
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

/// The 1-based line of a CSV record. The `csv` crate reports records that follow a CRLF
/// terminator one line low (the '\n' is counted with the next record), so files whose header
/// ends in CRLF are corrected here.
pub fn record_line(position: Option<&csv::Position>, crlf: bool) -> u64 {
    position.map_or(0, |p| p.line() + u64::from(crlf))
}

/// Whether the first line of some bytes ends in CRLF.
pub fn starts_with_crlf_line(head: &[u8]) -> bool {
    head.iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && head[i - 1] == b'\r')
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// An input had problems; each names its line and field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    /// A command-line value is not usable.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on a path.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
