//! An index file kept next to an incident CSV, so that a one-shot query on a large file
//! reads only the rows it can find instead of parsing the whole file.
//!
//! `incidents.csv` gets `.incidents.csv.bwindex`: for every located row its Earth-centred
//! position, lon/lat and the byte offset of its record, plus the account of the full read
//! (read = indexed + unlocated + rejected). A query scans the positions for the rows that
//! can be in its area (a superset: the chord never exceeds the geodesic), reads those
//! records from the CSV and answers from them with the same code as a full read, so the
//! output is the same. The index is current while the CSV keeps its size and modification
//! time and the reading options and borderwatch version are the same; otherwise the next
//! query reads the file whole and writes the index again.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Area;
use crate::error::Error;
use crate::incidents::{IncidentTable, LoadOptions, Source, load_records};
use crate::spatial::{chord2, ecef};

const MAGIC: &[u8; 8] = b"BWINDEX\0";

/// Bytes per row: x, y, z (km), lon, lat, offset.
const ROW_BYTES: usize = 48;

/// An area of more circles than this is answered by a full read and the R-tree: the scan
/// here is linear in rows × circles.
const MAX_CIRCLES: usize = 64;

/// A current index file of one incident CSV.
pub struct IndexFile {
    csv: PathBuf,
    /// The account of the full read, as `incidents check` prints it; empty when every row
    /// was indexed.
    account: String,
    /// The file's bytes; the rows start at `rows_from`.
    bytes: Vec<u8>,
    rows_from: usize,
}

impl IndexFile {
    /// Where the index file of `csv` lives: beside it, hidden.
    ///
    /// ```
    /// use std::path::Path;
    /// use borderwatch::index::IndexFile;
    /// assert_eq!(
    ///     IndexFile::path_for(Path::new("data/acled.csv")),
    ///     Path::new("data/.acled.csv.bwindex")
    /// );
    /// ```
    pub fn path_for(csv: &Path) -> PathBuf {
        let name = csv.file_name().unwrap_or_default().to_string_lossy();
        csv.with_file_name(format!(".{name}.bwindex"))
    }

    /// What makes an index current: the CSV's size and modification time, the reading
    /// options and our version. None when the CSV cannot be examined.
    fn fingerprint(csv: &Path, options: &LoadOptions) -> Option<String> {
        let meta = std::fs::metadata(csv).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(format!(
            "borderwatch {}; {} bytes; modified {}.{:09}; {}",
            env!("CARGO_PKG_VERSION"),
            meta.len(),
            modified.as_secs(),
            modified.subsec_nanos(),
            options.reading()
        ))
    }

    /// Writes the index of `table`, read from `csv` alone with `options` (atomically; an
    /// unwritable folder is an error the caller may ignore). GeoJSON input is not indexed:
    /// its rows have no records to read back.
    pub fn write(csv: &Path, options: &LoadOptions, table: &IncidentTable) -> Result<(), Error> {
        let fingerprint = Self::fingerprint(csv, options)
            .ok_or_else(|| Error::Usage(format!("{}: cannot be examined", csv.display())))?;
        if !crate::incidents::is_csv_file(csv) {
            return Err(Error::Usage(format!("{}: not CSV", csv.display())));
        }
        let account = table.account().unwrap_or_default();
        let mut bytes = Vec::with_capacity(64 + table.rows().len() * ROW_BYTES);
        bytes.extend_from_slice(MAGIC);
        for text in [&fingerprint, &account] {
            bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        for r in table.rows() {
            let Some(point) = r.point() else { continue };
            let [x, y, z] = ecef(point);
            for v in [x, y, z, r.lon, r.lat] {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            bytes.extend_from_slice(&r.offset.to_le_bytes());
        }
        crate::atomic::write_atomically(&Self::path_for(csv), |w| w.write_all(&bytes))
    }

    /// The index of `csv` if it is current for `options`.
    pub fn open(csv: &Path, options: &LoadOptions) -> Option<IndexFile> {
        let fingerprint = Self::fingerprint(csv, options)?;
        let bytes = std::fs::read(Self::path_for(csv)).ok()?;
        let mut rest = bytes.strip_prefix(MAGIC)?;
        let mut text = || -> Option<String> {
            let (length, tail) = rest.split_first_chunk::<8>()?;
            let (text, tail) = tail.split_at_checked(u64::from_le_bytes(*length) as usize)?;
            rest = tail;
            String::from_utf8(text.to_vec()).ok()
        };
        if text()? != fingerprint {
            return None;
        }
        let account = text()?;
        if !rest.len().is_multiple_of(ROW_BYTES) {
            return None;
        }
        let rows_from = bytes.len() - rest.len();
        Some(IndexFile {
            csv: csv.to_path_buf(),
            account,
            bytes,
            rows_from,
        })
    }

    fn rows(&self) -> &[u8] {
        &self.bytes[self.rows_from..]
    }

    /// The account of the full read when some rows were not indexed (for the same line on
    /// stderr as a full read prints).
    pub fn account(&self) -> Option<&str> {
        (!self.account.is_empty()).then_some(self.account.as_str())
    }

    /// How many rows are indexed.
    pub fn len(&self) -> usize {
        self.rows().len() / ROW_BYTES
    }

    /// Whether no row is indexed.
    pub fn is_empty(&self) -> bool {
        self.rows().is_empty()
    }

    /// The rows that can be in `area`, read from the CSV, or None when the area has too
    /// many circles for this index to help.
    ///
    /// # Panics
    ///
    /// If a record of the index file is shorter than its columns (a damaged index file).
    pub fn load(&self, area: &Area, options: &LoadOptions) -> Result<Option<IncidentTable>, Error> {
        let value = |row: &[u8], i: usize| {
            f64::from_le_bytes(row[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
        };
        let offset = |row: &[u8]| u64::from_le_bytes(row[40..48].try_into().expect("8 bytes"));
        // Both cores scan the rows; the offsets stay in file order.
        let rows = self.rows().par_chunks_exact(ROW_BYTES);
        let offsets: Vec<u64> = match area {
            Area::Within(circles) => {
                if circles.len() > MAX_CIRCLES {
                    return Ok(None);
                }
                // The chord never exceeds the geodesic; a metre of slack for rounding.
                let centres: Vec<([f64; 3], f64)> = circles
                    .iter()
                    .map(|(p, km)| (ecef(*p), (km + 0.001).powi(2)))
                    .collect();
                rows.filter(|row| {
                    let at = [value(row, 0), value(row, 1), value(row, 2)];
                    centres.iter().any(|(c, r2)| chord2(&at, c) <= *r2)
                })
                .map(offset)
                .collect()
            }
            Area::Box([west, south, east, north]) => rows
                .filter(|row| {
                    let (lon, lat) = (value(row, 3), value(row, 4));
                    let lon_in = if west <= east {
                        (*west..=*east).contains(&lon)
                    } else {
                        lon >= *west || lon <= *east
                    };
                    lon_in && (*south..=*north).contains(&lat)
                })
                .map(offset)
                .collect(),
        };
        load_records(&self.csv, &offsets, options).map(Some)
    }
}

/// The incidents a query needs, and the account of the read behind them.
pub struct AreaLoad {
    /// The rows read: every row, or with a current index file only those that can be in
    /// the area.
    pub table: IncidentTable,
    /// The account of the whole read when some rows were not indexed (the same line
    /// whether the rows came through the index file or not).
    pub account: Option<String>,
    /// Whether `table` holds every row (else only those the index file says the area needs).
    pub complete: bool,
}

/// Reads the incidents of `source` that a query of `area` needs. With one CSV file and
/// `use_index_file`, the file's current index says which rows can be in the area and only
/// those are read; otherwise every row is, and the index file is written for the next
/// query (where the folder allows: an unwritable folder only costs the next query a full
/// read).
pub fn load_around(source: &Source, area: &Area, use_index_file: bool) -> Result<AreaLoad, Error> {
    let full = |table: IncidentTable| AreaLoad {
        account: table.account(),
        table,
        complete: true,
    };
    let [csv] = source.files.as_slice() else {
        return source.load().map(full);
    };
    if !use_index_file || csv.as_os_str() == "-" {
        return source.load().map(full);
    }
    let index = IndexFile::open(csv, &source.options);
    if let Some(index) = &index
        && let Some(table) = index.load(area, &source.options)?
    {
        return Ok(AreaLoad {
            table,
            account: index.account().map(str::to_string),
            complete: false,
        });
    }
    let table = source.load()?;
    if index.is_none() {
        let _ = IndexFile::write(csv, &source.options, &table);
    }
    Ok(full(table))
}
