//! Where incidents come from: the bundled `data/incidents.csv` or the files given, read the
//! one way every command reads them.

use std::path::PathBuf;

use super::{
    BUNDLED_CSV, BlockSink, IncidentTable, LoadOptions, load_files, load_reader, stream_files,
    stream_reader,
};
use crate::error::Error;

/// The origin of the bundled incidents in messages (`data/incidents.csv:4: ...`).
pub const BUNDLED_ORIGIN: &str = "data/incidents.csv";

/// The bundled incidents as a table and a manifest list them.
pub const BUNDLED_LABEL: &str = "data/incidents.csv (bundled)";

/// Incident files and how to read them; no files means the bundled incidents.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The files, read in order into one table; empty for the bundled incidents.
    pub files: Vec<PathBuf>,
    /// How to read them.
    pub options: LoadOptions,
}

impl Source {
    /// The input files, for manifests.
    ///
    /// ```
    /// use borderwatch::incidents::Source;
    /// assert_eq!(Source::default().describe(), ["data/incidents.csv (bundled)"]);
    /// ```
    pub fn describe(&self) -> Vec<String> {
        if self.files.is_empty() {
            vec![BUNDLED_LABEL.to_string()]
        } else {
            self.files.iter().map(|f| f.display().to_string()).collect()
        }
    }

    /// Reads every row into one table (the bundled table is listed as [`BUNDLED_LABEL`]).
    pub fn load(&self) -> Result<IncidentTable, Error> {
        if !self.files.is_empty() {
            return load_files(&self.files, &self.options);
        }
        let mut table = load_reader(BUNDLED_CSV.as_bytes(), BUNDLED_ORIGIN, &self.options)?;
        table.files = vec![BUNDLED_LABEL.into()];
        Ok(table)
    }

    /// Reads the rows block by block into `sink`, keeping none; returns the account.
    pub fn stream(&self, sink: &mut BlockSink) -> Result<IncidentTable, Error> {
        if self.files.is_empty() {
            stream_reader(BUNDLED_CSV.as_bytes(), BUNDLED_ORIGIN, &self.options, sink)
        } else {
            stream_files(&self.files, &self.options, sink)
        }
    }
}
