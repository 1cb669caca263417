//! Reading incident CSVs: delimiter and header detection, value checks, geocoding of rows
//! without coordinates, and the account of every row.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

use rayon::prelude::*;

use super::date::parse_date;
use super::records::Records;
use super::schema::{Column, ColumnMap, InputFormat};
use super::text::trim;
use super::{Incident, IncidentTable, Interner, NotIndexed, Sym, Text};
use crate::error::{Error, Problem};
use crate::gazetteer::Kind;
use crate::geocode::{Geocoder, Options as GeocodeOptions, Status};
use crate::progress::Progress;
use crate::spatial::swapped_into_region;

/// How to read incident files.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Column mapping pairs: (schema key such as `lat`, the file's header).
    pub columns: Vec<(String, String)>,
    /// What messages call the column mapping when a pair does not fit (the command line:
    /// `--columns`).
    pub columns_label: String,
    /// Which table layout the files have (auto-detected by default).
    pub format: InputFormat,
    /// Geocode rows that have a location but no coordinates.
    pub geocode: bool,
    /// Told of every byte read from the files (not from standard input), for a progress bar.
    pub progress: Option<Progress>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            columns: Vec::new(),
            columns_label: "columns".to_string(),
            format: InputFormat::Auto,
            geocode: true,
            progress: None,
        }
    }
}

impl LoadOptions {
    /// What changes how rows are read, as text: part of the index file's fingerprint. The
    /// label of messages is left out, so the text is what it was before the label existed.
    pub(crate) fn reading(&self) -> String {
        #[derive(Debug)]
        #[allow(dead_code)] // read only through Debug
        struct LoadOptions<'a> {
            columns: &'a [(String, String)],
            format: InputFormat,
            geocode: bool,
        }
        format!(
            "{:?}",
            LoadOptions {
                columns: &self.columns,
                format: self.format,
                geocode: self.geocode,
            }
        )
    }
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Located and in the index.
    Indexed,
    /// Kept without a point.
    Unlocated,
    /// Refused, with a problem.
    Rejected,
}

/// The path that stands for standard input.
pub const STDIN_PATH: &str = "-";

/// What messages call standard input.
const STDIN_ORIGIN: &str = "stdin";

/// Reads incident files into one table (`-` is standard input). A file that cannot be read at all (missing, empty,
/// no usable header) is an error; bad rows are rejected with reasons and reading goes on.
pub fn load_files(
    paths: &[impl AsRef<Path>],
    options: &LoadOptions,
) -> Result<IncidentTable, Error> {
    let mut loader = Loader::new(options);
    for path in paths {
        loader.add_path(path.as_ref())?;
    }
    Ok(loader.table)
}

/// Reads the header of the CSV file `path` and only the records that start at `offsets`
/// (ascending; from [`Incident::offset`](super::Incident::offset)), as [`load_files`] reads
/// them: a query that knows which rows it needs reads a few KB instead of the file.
/// Line numbers count within what was read.
pub fn load_records(
    path: &Path,
    offsets: &[u64],
    options: &LoadOptions,
) -> Result<IncidentTable, Error> {
    let io = |e: std::io::Error| Error::io(path, e);
    let mut file = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut text = Vec::new();
    read_record_bytes(&mut file, &mut text).map_err(io)?;
    // Both halves of the records at once: reading is most of the work.
    let (first, second) = offsets.split_at(offsets.len() / 2);
    let (first, second) = rayon::join(
        || read_records_at(path, first),
        || read_records_at(path, second),
    );
    text.extend_from_slice(&first.map_err(io)?);
    text.extend_from_slice(&second.map_err(io)?);
    load_reader(&text[..], &path.display().to_string(), options)
}

/// The records of `path` that start at `offsets` (ascending), each ending in a line break.
fn read_records_at(path: &Path, offsets: &[u64]) -> std::io::Result<Vec<u8>> {
    let mut text = Vec::new();
    let Some(&start) = offsets.first() else {
        return Ok(text);
    };
    let mut file = BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    file.seek(std::io::SeekFrom::Start(start))?;
    let mut position = start;
    for &offset in offsets {
        if offset != position {
            // Within the buffer when the records are close: no new read.
            file.seek_relative(offset as i64 - position as i64)?;
            position = offset;
        }
        // A record's offset may sit on the line breaks before it (CRLF, blank lines).
        loop {
            let before = text.len();
            read_record_bytes(&mut file, &mut text)?;
            position += (text.len() - before) as u64;
            if text.len() == before || !text[before..].iter().all(|b| matches!(b, b'\r' | b'\n')) {
                break;
            }
            text.truncate(before);
        }
        if text.last() != Some(&b'\n') {
            text.push(b'\n');
        }
    }
    Ok(text)
}

/// Whether `path` starts like a CSV file read as it is (not GeoJSON, which is converted).
pub fn is_csv_file(path: &Path) -> bool {
    let mut head = [0; 512];
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .is_ok_and(|n| n > 0 && !super::geojson::looks_like_geojson(&head[..n]))
}

/// What a streaming read hands over: the rows of one block, in a table of their own.
pub type BlockSink<'s> = dyn FnMut(&IncidentTable) -> std::io::Result<()> + Send + 's;

/// Reads incident files block by block, handing each block's rows to `sink` and keeping
/// none: memory stays flat however large the files. Returns a table with no rows but the
/// full account (counts, rejected and unlocated rows).
///
/// ```
/// use borderwatch::incidents::{LoadOptions, stream_reader};
/// let csv = "id,lat,lon\na,37.1,69.2\nb,37.2,69.3\n";
/// let mut seen = 0;
/// let account = stream_reader(csv.as_bytes(), "t.csv", &LoadOptions::default(), &mut |block| {
///     seen += block.rows().len();
///     Ok(())
/// })
/// .unwrap();
/// assert_eq!((seen, account.counts().indexed), (2, 2));
/// ```
pub fn stream_reader<R: Read>(
    reader: R,
    origin: &str,
    options: &LoadOptions,
    sink: &mut BlockSink,
) -> Result<IncidentTable, Error> {
    let mut loader = Loader::new(options);
    loader.sink = Some(sink);
    loader.add(reader, origin)?;
    loader.flush()?;
    Ok(loader.table)
}

/// [`stream_reader`] over files.
pub fn stream_files(
    paths: &[impl AsRef<Path>],
    options: &LoadOptions,
    sink: &mut BlockSink,
) -> Result<IncidentTable, Error> {
    let mut loader = Loader::new(options);
    loader.sink = Some(sink);
    for path in paths {
        loader.add_path(path.as_ref())?;
    }
    loader.flush()?;
    Ok(loader.table)
}

/// Reads incidents from any reader; `origin` names it in messages.
pub fn load_reader<R: Read>(
    reader: R,
    origin: &str,
    options: &LoadOptions,
) -> Result<IncidentTable, Error> {
    let mut loader = Loader::new(options);
    loader.add(reader, origin)?;
    Ok(loader.table)
}

struct Loader<'o> {
    options: &'o LoadOptions,
    /// Bytes read per block (BLOCK_BYTES; tests use tiny blocks to cross every boundary).
    block_bytes: usize,
    /// Parts per block (PARTS_PER_BLOCK; tests read in one part, serially, to compare).
    parts: usize,
    table: IncidentTable,
    /// Every id seen, by 64-bit hash, with where it was first seen: duplicates are rejected
    /// without keeping the ids (streaming drops the rows). Two different ids would need equal
    /// 64-bit hashes to be taken for duplicates: odds below 1e-7 for a million rows.
    ids: Ids,
    /// Set when streaming: rows go there block by block instead of staying in `table`.
    sink: Option<&'o mut BlockSink<'o>>,
    /// The size of the input being added, when known (0 otherwise).
    input_bytes: u64,
}

/// Every id seen, by [`id_hash`], with where it was first seen.
type Ids = FxHashMap<u64, FirstSeen>;

#[derive(Clone, Copy)]
struct FirstSeen {
    file: u16,
    /// Lines past 4 billion are reported as 4294967295.
    line: u32,
}

fn id_hash(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// The delimiter of a header line: the most frequent of , ; tab | outside quotes.
fn sniff_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            b'|' if !quoted => counts[3] += 1,
            _ => {}
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t', b'|'][best]
    }
}

/// How one file is laid out, shared by the threads that parse its blocks.
struct Layout<'a> {
    map: &'a ColumnMap,
    extra_slots: &'a [ExtraSlot],
    header: &'a [String],
    width: usize,
    delimiter: u8,
    file: u16,
    origin: &'a str,
}

/// Where the values of an input column beyond our schema go.
struct ExtraSlot {
    /// The column's index in the input.
    input: usize,
    /// Its index among the table's extra columns.
    slot: u16,
}

/// What one thread made of a run of records: rows whose symbols belong to `strings`.
#[derive(Default)]
struct Part {
    rows: Vec<Incident>,
    arena: String,
    /// Byte offset of each row's record in the part, to copy it verbatim if it is rejected
    /// later (a duplicate id across parts).
    starts: Vec<usize>,
    /// The [`id_hash`] of each row's id, computed here rather than in the serial merge.
    hashes: Vec<u64>,
    /// The rows (by index in `rows`) whose id was seen before, and where it was first seen.
    duplicates: Vec<(usize, FirstSeen)>,
    strings: Interner,
    rejected: Vec<NotIndexed>,
    read: usize,
    /// Room for the texts of one record's fields, kept from row to row (empty between
    /// rows; see [`recycled`]).
    fields: Vec<&'static str>,
}

impl Part {
    /// An empty part with room for the rows of `bytes`, which hold `lines` line breaks: a
    /// row has at least one, and its texts are no longer than its record.
    fn with_room(bytes: usize, lines: usize) -> Part {
        Part {
            rows: Vec::with_capacity(lines + 1),
            arena: String::with_capacity(bytes),
            starts: Vec::with_capacity(lines + 1),
            hashes: Vec::with_capacity(lines + 1),
            ..Part::default()
        }
    }
}

/// Input is parsed in blocks of about this size, each cut into [`PARTS_PER_BLOCK`] parts
/// at record boundaries for the threads: memory stays flat in the file size.
const BLOCK_BYTES: usize = 4 << 20;

/// The parts a block is cut into, parsed in parallel: more than the threads, so that one
/// thread that finishes early (or that merged the previous block meanwhile) takes the
/// parts left instead of waiting.
const PARTS_PER_BLOCK: usize = 8;

/// The longest record read: no incident row comes near it, so a longer one is a broken file
/// (an unclosed quote swallowing the rest), refused before it fills memory.
const MAX_RECORD_BYTES: usize = 64 << 20;

/// The header record of a CSV input.
struct Header {
    /// The record's bytes as read, line break included.
    bytes: Vec<u8>,
    /// The column names, without surrounding white space or a byte order mark.
    names: Vec<String>,
}

/// A block of whole records, cut into parts at record boundaries.
struct Block {
    /// The block's bytes: rejected rows are copied from them verbatim.
    bytes: Vec<u8>,
    /// Where the block starts in the input.
    at: u64,
    /// Where each part starts in `bytes`, then the end of the block.
    cuts: Vec<usize>,
    /// The line at each of `cuts`.
    lines: Vec<u64>,
    /// Whether the input ends with this block.
    last: bool,
}

impl Block {
    /// The bytes of part `i`, with the line of its first byte and its line breaks.
    fn part(&self, i: usize) -> (&[u8], u64, u64) {
        let (line, next) = (self.lines[i], self.lines[i + 1]);
        (
            &self.bytes[self.cuts[i]..self.cuts[i + 1]],
            line,
            next - line,
        )
    }

    /// How many parts the block has.
    fn parts(&self) -> usize {
        self.cuts.len() - 1
    }
}

/// Where a block starts in its input.
#[derive(Clone, Copy)]
struct Position {
    /// The byte offset.
    offset: u64,
    /// The line.
    line: u64,
}

/// Cuts the bytes read for a block (`last` when the input ends with them) into `parts`
/// parts, then after their last whole record, counting lines from `at`: work for any
/// thread, once the bytes are read. Returns the block, the bytes after its last record (the
/// start of the next block) and where the next block starts.
fn cut_block(
    mut bytes: Vec<u8>,
    last: bool,
    at: Position,
    parts: usize,
) -> (Block, Vec<u8>, Position) {
    let mut cuts = part_cuts(&bytes, parts);
    let carry = match last {
        true => Vec::new(),
        false => {
            let end = last_record_end_after(&bytes, cuts[cuts.len() - 2]);
            for cut in &mut cuts {
                *cut = (*cut).min(end);
            }
            bytes.split_off(end)
        }
    };
    let mut lines = Vec::with_capacity(cuts.len());
    lines.push(at.line);
    for cut in cuts.windows(2) {
        lines.push(lines[lines.len() - 1] + line_breaks(&bytes[cut[0]..cut[1]]));
    }
    let next = Position {
        offset: at.offset + bytes.len() as u64,
        line: lines[lines.len() - 1],
    };
    let block = Block {
        bytes,
        at: at.offset,
        cuts,
        lines,
        last,
    };
    (block, carry, next)
}

/// Refuses an unfinished record (`carry`, after a block that ends on line `line`) longer
/// than [`MAX_RECORD_BYTES`].
fn check_carry(carry: &[u8], line: u64, origin: &str) -> Result<(), Error> {
    if carry.len() <= MAX_RECORD_BYTES {
        return Ok(());
    }
    Err(invalid(
        origin,
        line,
        "row",
        format!(
            "one record runs past {} MB: an unclosed quote, or not an incident table",
            MAX_RECORD_BYTES >> 20
        ),
    ))
}

/// An error about the input `origin` as a whole (its header, a broken record), at `line`.
fn invalid(origin: &str, line: u64, field: &str, message: String) -> Error {
    Error::Invalid(vec![Problem::new(origin, line, field, &message)])
}

/// Names `origin` in a failure to read it.
fn io_error(origin: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(Path::new(origin), e)
}

/// The number of line breaks in `bytes`.
#[inline]
fn line_breaks(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Refuses an input whose first bytes (`head`) show it is no table: empty, or binary.
fn check_head(head: &[u8], origin: &str) -> Result<(), Error> {
    if head.is_empty() {
        return Err(invalid(
            origin,
            1,
            "header",
            "empty file: expected a header row".into(),
        ));
    }
    // Text never holds NUL bytes; spreadsheets (.xlsx) and archives do.
    if head.contains(&0) {
        return Err(invalid(
            origin,
            1,
            "file",
            "binary data, not CSV or GeoJSON text (export the sheet as CSV, UTF-8)".into(),
        ));
    }
    Ok(())
}

/// Reads the header record of a CSV input; a header without names is refused.
fn read_header(reader: &mut impl BufRead, delimiter: u8, origin: &str) -> Result<Header, Error> {
    let mut bytes = Vec::new();
    read_record_bytes(reader, &mut bytes).map_err(io_error(origin))?;
    let names: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..])
        .byte_records()
        .next()
        .transpose()
        .map_err(|e| Error::Invalid(vec![Problem::from_csv(origin, &e)]))?
        .map(|r| {
            r.iter()
                .map(|h| {
                    String::from_utf8_lossy(h)
                        .trim_start_matches('\u{feff}')
                        .trim()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    if names.iter().all(String::is_empty) {
        return Err(invalid(origin, 1, "header", "empty header row".into()));
    }
    Ok(Header { bytes, names })
}

impl<'o> Loader<'o> {
    fn new(options: &'o LoadOptions) -> Loader<'o> {
        Loader {
            options,
            block_bytes: BLOCK_BYTES,
            parts: PARTS_PER_BLOCK,
            table: IncidentTable::default(),
            ids: FxHashMap::default(),
            sink: None,
            input_bytes: 0,
        }
    }

    /// Hands the rows read so far to the sink, if streaming, and forgets them.
    fn flush(&mut self) -> Result<(), Error> {
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        sink(&self.table).map_err(Error::output)?;
        let located = self
            .table
            .rows
            .iter()
            .filter(|r| r.point().is_some())
            .count();
        self.table.streamed_indexed += located;
        self.table.streamed_unlocated += self.table.rows.len() - located;
        self.table.rows.clear();
        self.table.arena.clear();
        Ok(())
    }

    /// Reads the file at `path`, or standard input for `-` (named `stdin` in messages).
    fn add_path(&mut self, path: &Path) -> Result<(), Error> {
        if path.as_os_str() == STDIN_PATH {
            self.input_bytes = 0;
            return self.add(std::io::stdin().lock(), STDIN_ORIGIN);
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        self.input_bytes = file.metadata().map_or(0, |m| m.len());
        let origin = path.display().to_string();
        match self.options.progress.clone() {
            Some(progress) => self.add(progress.reader(file), &origin),
            None => self.add(file, &origin),
        }
    }

    /// Reads one input: GeoJSON is converted to CSV and read as such; CSV is read header
    /// first, then block by block.
    fn add<R: Read>(&mut self, reader: R, origin: &str) -> Result<(), Error> {
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let head = reader.fill_buf().map_err(io_error(origin))?;
        check_head(head, origin)?;
        if super::geojson::looks_like_geojson(head) {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io_error(origin))?;
            let csv = super::geojson::to_csv(&bytes)
                .map_err(|m| invalid(origin, 1, "file", format!("not GeoJSON incidents: {m}")))?;
            return self.add(&csv[..], origin);
        }
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or(head);
        let delimiter = sniff_delimiter(first_line);
        // The header is read on its own; then the rest of the input block by block.
        let header = read_header(&mut reader, delimiter, origin)?;
        let map = self.column_map(&header.names, delimiter, origin)?;
        let file = u16::try_from(self.table.files.len())
            .map_err(|_| Error::Usage("too many input files (at most 65535)".into()))?;
        self.table.files.push(origin.to_string());
        let extra_slots = self.extra_slots(&map);
        let layout = Layout {
            map: &map,
            extra_slots: &extra_slots,
            header: &header.names,
            width: header.names.len(),
            delimiter,
            file,
            origin,
        };
        self.read_blocks(&mut reader, &layout, &header.bytes)?;
        self.flush()?;
        self.table.headers.push(header.names);
        Ok(())
    }

    /// Maps the header's columns as the options say, refusing a header with neither
    /// coordinates nor a place to geocode.
    fn column_map(
        &self,
        header: &[String],
        delimiter: u8,
        origin: &str,
    ) -> Result<ColumnMap, Error> {
        let names: Vec<&str> = header.iter().map(String::as_str).collect();
        let map =
            ColumnMap::new(&names, &self.options.columns, self.options.format).map_err(|m| {
                invalid(
                    origin,
                    1,
                    "header",
                    format!("{}: {m}", self.options.columns_label),
                )
            })?;
        let has_point =
            map.index(Column::Latitude).is_some() && map.index(Column::Longitude).is_some();
        let has_place = [Column::Location, Column::Admin2, Column::Admin1]
            .iter()
            .any(|c| map.index(*c).is_some());
        if !has_point && !has_place {
            let hint = if delimiter == b',' && header.len() == 1 && header[0].contains(';') {
                " (is the file separated by something else than commas?)"
            } else {
                ""
            };
            return Err(invalid(
                origin,
                1,
                "header",
                format!(
                    "no latitude/longitude and no location column among: {}{hint}; \
                     name yours with --columns lat=COLUMN,lon=COLUMN",
                    header.join(", ")
                ),
            ));
        }
        Ok(map)
    }

    /// The slot in the table's extra columns of each column of `map` beyond our schema;
    /// names not seen in earlier files get a new slot.
    fn extra_slots(&mut self, map: &ColumnMap) -> Vec<ExtraSlot> {
        map.extras
            .iter()
            .map(|(input, name)| {
                let slot = match self.table.extra_columns.iter().position(|c| c == name) {
                    Some(i) => i,
                    None => {
                        self.table.extra_columns.push(name.clone());
                        self.table.extra_columns.len() - 1
                    }
                };
                ExtraSlot {
                    input: *input,
                    slot: slot as u16,
                }
            })
            .collect()
    }

    /// Reads the records after the header (`header_bytes`) block by block, in a pipeline:
    /// while the pool's threads parse the parts of block k, this thread merges block k-1
    /// (in order) and reads block k+1, which a thread of the pool then cuts. A block's
    /// bytes live until its rows are merged, then take the next read. The reader stays on
    /// this thread (standard input's lock cannot move).
    fn read_blocks(
        &mut self,
        reader: &mut impl Read,
        layout: &Layout,
        header_bytes: &[u8],
    ) -> Result<(), Error> {
        let (size, origin) = (self.block_bytes, layout.origin);
        let start = Position {
            offset: header_bytes.len() as u64,
            line: 1 + line_breaks(header_bytes),
        };
        let (bytes, last) =
            read_raw(reader, Vec::new(), size, Vec::new()).map_err(io_error(origin))?;
        let (block, mut carry, mut position) = cut_block(bytes, last, start, self.parts);
        check_carry(&carry, position.line, origin)?;
        let (mut next, mut spare) = (Some(block), Vec::new());
        let mut pending: Option<(Block, Vec<Part>)> = None;
        // The pool's task checks the ids, in order, while this thread merges.
        let mut ids = std::mem::take(&mut self.ids);
        while let Some(block) = next.take() {
            let mut parts = Vec::new();
            let mut cut = None;
            let cut_slot = &mut cut;
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| {
                    parts = parse_block(layout, &block);
                    find_duplicates(&mut ids, &mut parts);
                });
                if let Some((done, parts)) = pending.take() {
                    self.merge_block(&done, parts, layout);
                    spare = done.bytes;
                    self.flush()?;
                }
                if !block.last {
                    let (carry, spare) = (std::mem::take(&mut carry), std::mem::take(&mut spare));
                    let (bytes, last) =
                        read_raw(reader, carry, size, spare).map_err(io_error(origin))?;
                    let parts = self.parts;
                    scope.spawn(move |_| *cut_slot = Some(cut_block(bytes, last, position, parts)));
                }
                Ok::<(), Error>(())
            })?;
            if let Some((block, rest, after)) = cut {
                check_carry(&rest, after.line, origin)?;
                (carry, position, next) = (rest, after, Some(block));
            }
            if block.at == start.offset {
                let records = parts.iter().map(|p| p.read).sum();
                self.reserve_like(&mut ids, records, block.bytes.len());
            }
            pending = Some((block, parts));
        }
        self.ids = ids;
        if let Some((done, parts)) = pending {
            self.merge_block(&done, parts, layout);
        }
        Ok(())
    }

    /// Adds the rows of the parts of a parsed block, in order.
    fn merge_block(&mut self, block: &Block, parts: Vec<Part>, layout: &Layout) {
        let rejected_before = self.table.rejected.len();
        for (i, part) in parts.into_iter().enumerate() {
            let at = block.at + block.cuts[i] as u64;
            self.merge(part, block.part(i).0, at, layout);
        }
        // Rows rejected on reading come before the duplicates found here; both in line
        // order. Earlier blocks' rejections all come before this block's.
        self.table.rejected[rejected_before..].sort_by_key(|r| (r.file, r.problem.line));
    }

    /// Makes room for the rows of the whole input at once, estimated from its first block
    /// (`records` in `bytes`): growing the id table `ids` (and the rows) step by step would hold
    /// the old and the new copy together, the peak of a large read.
    fn reserve_like(&mut self, ids: &mut Ids, records: usize, bytes: usize) {
        if records == 0 || self.input_bytes <= bytes as u64 {
            return;
        }
        let estimate = (self.input_bytes as f64 / bytes as f64 * records as f64) as usize;
        let more = estimate.saturating_sub(ids.len());
        ids.reserve(more);
        if self.sink.is_none() {
            self.table.rows.reserve(more);
        }
    }

    /// Adds a part's rows in order: symbols re-interned, the duplicates found by
    /// [`find_duplicates`] rejected, rows without coordinates geocoded. `at` is where the
    /// part starts in the input.
    fn merge(&mut self, part: Part, bytes: &[u8], at: u64, layout: &Layout) {
        let origin = layout.origin;
        let global: Vec<Sym> = part
            .strings
            .hashed()
            .map(|s| self.table.strings.intern_hashed(s.text, s.hash))
            .collect();
        let remap = |sym: &mut Sym| *sym = global[sym.0 as usize];
        self.table.read += part.read;
        self.table.rejected.extend(part.rejected);
        self.table.rows.reserve(part.rows.len());
        let base = self.table.arena.len();
        self.table.arena.push_str(&part.arena);
        let mut duplicates = part.duplicates.into_iter().peekable();
        let rows = part.rows.into_iter().zip(part.starts).enumerate();
        for (i, (mut incident, start)) in rows {
            for sym in [
                &mut incident.event_type,
                &mut incident.sub_event_type,
                &mut incident.actor1,
                &mut incident.actor2,
                &mut incident.country,
                &mut incident.admin1,
                &mut incident.admin2,
                &mut incident.location,
                &mut incident.source,
            ] {
                remap(sym);
            }
            for text in [
                &mut incident.id,
                &mut incident.notes,
                &mut incident.source_url,
                &mut incident.evidence,
            ] {
                *text = text.shifted(base);
            }
            for (_, text) in &mut incident.extra {
                *text = text.shifted(base);
            }
            if let Some((_, first)) = duplicates.next_if(|(row, _)| *row == i) {
                let message = format!(
                    "duplicate id {:?} (first at {}:{})",
                    self.table.str(incident.id),
                    self.table.files[first.file as usize],
                    first.line
                );
                self.table.rejected.push(NotIndexed {
                    problem: Problem::new(origin, incident.line, Column::Id.name(), &message),
                    raw: record_at(bytes, start, layout.delimiter),
                    file: incident.file,
                });
                continue;
            }
            incident.offset = at + start as u64;
            let line = incident.line;
            if incident.point().is_none()
                && let Some(problem) = self.locate(&mut incident, origin, line)
            {
                self.table.unlocated.push(problem);
            }
            self.table.rows.push(incident);
        }
    }

    /// Geocodes a row without coordinates from its location, district or province. Returns
    /// why it stays unlocated, if it does.
    fn locate(&mut self, incident: &mut Incident, origin: &str, line: u64) -> Option<Problem> {
        let Some(PlaceQuery {
            column,
            query,
            context,
        }) = self.place_query(incident)
        else {
            return Some(Problem::new(
                origin,
                line,
                "latitude/longitude",
                "no coordinates and no location, admin2 or admin1 to geocode",
            ));
        };
        if !self.options.geocode {
            return Some(Problem::new(
                origin,
                line,
                "latitude/longitude",
                "no coordinates (geocoding is off)",
            ));
        }
        let options = GeocodeOptions {
            context: context.into_iter().filter(|c| !c.is_empty()).collect(),
            ..GeocodeOptions::default()
        };
        let outcome = Geocoder::bundled().geocode(&query, &options);
        let best = outcome.candidates.first();
        if best.is_some_and(|c| c.kind == Kind::Country) {
            return Some(Problem::new(
                origin,
                line,
                column.name(),
                &format!("{query:?} names only a country: too coarse to place"),
            ));
        }
        match (outcome.status, best) {
            (Status::Resolved, Some(best)) => {
                incident.lat = best.lat;
                incident.lon = best.lon;
                incident.geo_precision =
                    Some(incident.geo_precision.unwrap_or(1).max(best.precision));
                incident.geocoded = true;
                None
            }
            (Status::Ambiguous, _) => Some(Problem::new(
                origin,
                line,
                column.name(),
                &format!(
                    "{query:?} is ambiguous: {}",
                    outcome.note.unwrap_or_default()
                ),
            )),
            _ => Some(Problem::new(
                origin,
                line,
                column.name(),
                &format!("{query:?} was not found in the gazetteer"),
            )),
        }
    }

    /// What to geocode a row by: the first of its location, district and province that is
    /// given, with the coarser fields as context. None when none is given.
    fn place_query(&self, incident: &Incident) -> Option<PlaceQuery> {
        let text = |sym| self.table.strings.get(sym).to_string();
        let (location, admin2, admin1, country) = (
            text(incident.location),
            text(incident.admin2),
            text(incident.admin1),
            text(incident.country),
        );
        let attempts = [
            PlaceQuery {
                column: Column::Location,
                query: location.clone(),
                context: vec![admin2.clone(), admin1.clone(), country.clone()],
            },
            PlaceQuery {
                column: Column::Admin2,
                query: if admin2.is_empty() {
                    String::new()
                } else {
                    format!("{admin2} district")
                },
                context: vec![admin1.clone(), country.clone()],
            },
            PlaceQuery {
                column: Column::Admin1,
                query: if admin1.is_empty() {
                    String::new()
                } else {
                    format!("{admin1} province")
                },
                context: vec![country.clone()],
            },
        ];
        attempts.into_iter().find(|a| !a.query.is_empty())
    }
}

/// What a row without coordinates is geocoded by.
struct PlaceQuery {
    /// The column the query comes from, named when it fails.
    column: Column,
    /// The text to geocode.
    query: String,
    /// The row's coarser fields (empty ones included), to settle between candidates.
    context: Vec<String>,
}

/// The fields of the record that starts at `start`, as text.
fn record_at(bytes: &[u8], start: usize, delimiter: u8) -> Vec<String> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[start..])
        .byte_records()
        .next()
        .and_then(Result::ok)
        .map(|r| {
            r.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Reads one CSV record (quotes respected) into `out`, terminator included.
fn read_record_bytes(reader: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut quoted = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        let mut end = None;
        for (i, &b) in buffer.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    end = Some(i + 1);
                    break;
                }
                _ => {}
            }
        }
        let used = end.unwrap_or(buffer.len());
        out.extend_from_slice(&buffer[..used]);
        reader.consume(used);
        if end.is_some() {
            return Ok(());
        }
    }
}

/// Reads the bytes of the next block into `block`, a buffer to reuse: `carry` (the
/// unfinished tail of the previous block), then up to `size` more bytes. Returns them and
/// whether the input is exhausted.
fn read_raw(
    reader: &mut impl Read,
    carry: Vec<u8>,
    size: usize,
    mut block: Vec<u8>,
) -> std::io::Result<(Vec<u8>, bool)> {
    block.clear();
    block.reserve(carry.len() + size);
    block.extend_from_slice(&carry);
    let read = reader.by_ref().take(size as u64).read_to_end(&mut block)?;
    Ok((block, read < size))
}

/// Whether `bytes` ends outside a quoted field (quotes, escaped ones included, come in pairs).
fn quotes_balanced(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'"', bytes).count().is_multiple_of(2)
}

/// [`last_record_end`] of `block`, knowing that `from` (a cut of [`part_cuts`]) is a record
/// boundary unless it is the end: only the quotes after it are counted.
fn last_record_end_after(block: &[u8], from: usize) -> usize {
    if from == block.len() {
        // No boundary was found from the cut's target on: it may lie anywhere before.
        return last_record_end(block);
    }
    from + last_record_end(&block[from..])
}

/// The end of the last whole record in `block` (just after a newline outside quotes), or 0.
fn last_record_end(block: &[u8]) -> usize {
    let mut end = block.len();
    while let Some(nl) = memchr::memrchr(b'\n', &block[..end]) {
        if quotes_balanced(&block[..nl]) {
            return nl + 1;
        }
        end = nl;
    }
    0
}

/// Where to cut `block` into `parts` parts of about equal size, at record boundaries: the
/// start of each part, then the end of the block. Parts may be empty.
fn part_cuts(block: &[u8], parts: usize) -> Vec<usize> {
    let mut cuts = Vec::with_capacity(parts + 1);
    cuts.push(0);
    for i in 1..parts {
        let previous = cuts[i - 1];
        // A cut is a record boundary: the quotes before it are balanced.
        let target = (block.len() * i / parts).max(previous);
        cuts.push(previous + split_point(&block[previous..], target - previous));
    }
    cuts.push(block.len());
    cuts
}

/// A record boundary at or after `from`: just after a newline outside quotes (or the end).
fn split_point(block: &[u8], from: usize) -> usize {
    let mut quoted = !quotes_balanced(&block[..from]);
    for (i, &b) in block[from..].iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return from + i + 1,
            _ => {}
        }
    }
    block.len()
}

/// Checks the ids of a block's rows (its `parts`), in order, against every id seen before,
/// `ids`, which takes the new ones: a duplicate goes to its part's `duplicates`, with where
/// its id was first seen.
fn find_duplicates(ids: &mut Ids, parts: &mut [Part]) {
    for part in parts {
        for (i, (row, &hash)) in part.rows.iter().zip(&part.hashes).enumerate() {
            match ids.entry(hash) {
                Entry::Vacant(vacant) => {
                    vacant.insert(FirstSeen {
                        file: row.file,
                        line: u32::try_from(row.line).unwrap_or(u32::MAX),
                    });
                }
                Entry::Occupied(taken) => part.duplicates.push((i, *taken.get())),
            }
        }
    }
}

/// Parses the parts of a block in parallel.
fn parse_block(layout: &Layout, block: &Block) -> Vec<Part> {
    (0..block.parts())
        .into_par_iter()
        .map(|i| {
            let (bytes, line, breaks) = block.part(i);
            parse_part(layout, bytes, line, breaks as usize)
        })
        .collect()
}

/// Parses the records of one part of a block; `first_line` is the line of its first record,
/// and the part holds `breaks` line breaks.
fn parse_part(layout: &Layout, bytes: &[u8], first_line: u64, breaks: usize) -> Part {
    let mut part = Part::with_room(bytes.len(), breaks);
    let mut records = Records::new(bytes, layout.delimiter);
    while let Some(start) = records.next_record() {
        let line = first_line + records.breaks();
        part.read += 1;
        if parse_row(layout, &records, line, &mut part) {
            part.starts.push(start);
        }
    }
    part
}

/// `texts`, emptied, as a vector for texts of another lifetime: the next record's fields go
/// into the allocation of the last one's (a mapped `vec::IntoIter` of the same layout is
/// collected in place) instead of a new one per row.
fn recycled<'b>(mut texts: Vec<&str>) -> Vec<&'b str> {
    texts.clear();
    texts.into_iter().map(|_| "").collect()
}

/// Checks and converts one record into `part`: a row (true) or a rejection (false).
fn parse_row(layout: &Layout, record: &Records, line: u64, part: &mut Part) -> bool {
    let mut fields = recycled(std::mem::take(&mut part.fields));
    let result = row_incident(layout, record, &mut fields, line, part);
    part.fields = recycled(fields);
    match result {
        Ok(incident) => {
            part.hashes.push(id_hash(&part.arena[incident.id.range()]));
            part.rows.push(incident);
            true
        }
        Err(Rejection { field, message }) => {
            part.rejected.push(NotIndexed {
                problem: Problem::new(layout.origin, line, field, &message),
                raw: record
                    .fields()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
                file: layout.file,
            });
            false
        }
    }
}

/// Why a record is rejected.
struct Rejection<'a> {
    /// The field at fault: a schema name, or a header of the file.
    field: &'a str,
    /// What is wrong with it.
    message: String,
}

impl<'a> Rejection<'a> {
    /// A rejection for `field`, saying `message`.
    fn new(field: &'a str, message: String) -> Self {
        Rejection { field, message }
    }
}

/// Checks and converts one record into an incident whose symbols and texts go to `part`'s
/// strings and arena; `fields` takes the record's texts.
#[inline]
fn row_incident<'r, 'l>(
    layout: &Layout<'l>,
    record: &'r Records,
    fields: &mut Vec<&'r str>,
    line: u64,
    part: &mut Part,
) -> Result<Incident, Rejection<'l>> {
    row_fields(layout, record, fields)?;
    let fields = &fields[..];
    if let Some(problem) = layout
        .map
        .geometry_problem
        .map(|i| fields[i])
        .filter(|p| !p.is_empty())
    {
        return Err(Rejection::new("geometry", problem.to_string()));
    }
    let point = point_text(layout, fields)?;
    let get = |c: Column| match c {
        Column::Latitude => &*point.lat,
        Column::Longitude => &*point.lon,
        _ => layout.map.index(c).map_or("", |i| fields[i]),
    };
    if let Some(long) = fields.iter().position(|f| f.len() > super::MAX_FIELD_BYTES) {
        return Err(Rejection::new(
            &layout.header[long],
            format!("longer than {} bytes", super::MAX_FIELD_BYTES),
        ));
    }
    let mut incident = parse_fields(
        &get,
        layout.map,
        layout.origin,
        line,
        &mut part.strings,
        &mut part.arena,
    )?;
    incident.file = layout.file;
    incident.extra = layout
        .extra_slots
        .iter()
        .filter(|e| !fields[e.input].is_empty())
        .filter_map(|e| Some((e.slot, Text::push(&mut part.arena, fields[e.input])?)))
        .collect();
    Ok(incident)
}

/// The fields of a record, trimmed, into `fields`, once it is checked to have the header's
/// width and to be UTF-8.
#[inline]
fn row_fields<'r, 'l>(
    layout: &Layout<'l>,
    record: &'r Records,
    fields: &mut Vec<&'r str>,
) -> Result<(), Rejection<'l>> {
    if record.len() != layout.width {
        return Err(Rejection::new(
            "row",
            format!("expected {} fields, found {}", layout.width, record.len()),
        ));
    }
    record
        .texts(trim, fields)
        .map_err(|bad| Rejection::new(&layout.header[bad], "invalid UTF-8".into()))
}

/// The latitude and longitude of a row, as text.
struct PointText<'f> {
    /// The latitude: a field, or written from a WKT point.
    lat: Cow<'f, str>,
    /// The longitude: a field, or written from a WKT point.
    lon: Cow<'f, str>,
}

/// The latitude and longitude of a row: its columns when either is given, else its WKT
/// point, else empty.
#[inline]
fn point_text<'f, 'l>(
    layout: &Layout<'l>,
    fields: &[&'f str],
) -> Result<PointText<'f>, Rejection<'l>> {
    let wkt = layout.map.wkt.map_or("", |i| fields[i]);
    match (
        layout.map.index(Column::Latitude),
        layout.map.index(Column::Longitude),
    ) {
        (Some(a), Some(b)) if !fields[a].is_empty() || !fields[b].is_empty() => Ok(PointText {
            lat: Cow::Borrowed(fields[a]),
            lon: Cow::Borrowed(fields[b]),
        }),
        _ if !wkt.is_empty() => match wkt_point(wkt) {
            Some((x, y)) => Ok(PointText {
                lat: Cow::Owned(y.to_string()),
                lon: Cow::Owned(x.to_string()),
            }),
            None => Err(Rejection::new(
                "geometry",
                format!("not a WKT POINT: {wkt:?}"),
            )),
        },
        _ => Ok(PointText {
            lat: Cow::Borrowed(""),
            lon: Cow::Borrowed(""),
        }),
    }
}

/// The coordinates of a WKT `POINT (x y)` (case and spacing as GIS tools write them).
fn wkt_point(text: &str) -> Option<(f64, f64)> {
    let upper = text.trim().to_ascii_uppercase();
    let inner = upper
        .strip_prefix("POINT")?
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let mut parts = inner.split_whitespace().map(str::parse::<f64>);
    let (x, y) = (parts.next()?.ok()?, parts.next()?.ok()?);
    Some((x, y))
}

/// Parses one row's values; an error names the field.
fn parse_fields<'f>(
    get: &dyn Fn(Column) -> &'f str,
    map: &ColumnMap,
    origin: &str,
    line: u64,
    strings: &mut Interner,
    arena: &mut String,
) -> Result<Incident, FieldError> {
    let (lat, lon) = parse_point(
        get(Column::Latitude),
        get(Column::Longitude),
        get(Column::Country),
    )?;
    let When {
        date,
        time_precision,
    } = parse_when(get(Column::Date), get(Column::TimePrecision), map.ucdp)?;
    let geo_precision = parse_geo_precision(get(Column::GeoPrecision), map.ucdp)?;
    let fatalities = parse_count(get(Column::Fatalities))
        .map_err(|m| Rejection::new(Column::Fatalities.name(), m))?;
    let EventTypes {
        event_type,
        sub_event_type,
    } = event_types(get, map.ucdp);
    let generated;
    let id = match get(Column::Id) {
        "" => {
            generated = format!("{}:{line}", file_stem(origin));
            generated.as_str()
        }
        id => id,
    };
    // Fields were checked against MAX_FIELD_BYTES, and a generated id is short.
    let mut text = |s: &str| Text::push(arena, s).unwrap_or_default();
    let s = strings;
    Ok(Incident {
        id: text(id),
        date,
        time_precision: time_precision.filter(|_| date.is_some()),
        event_type: s.intern(event_type),
        sub_event_type: s.intern(sub_event_type),
        actor1: s.intern(get(Column::Actor1)),
        actor2: s.intern(get(Column::Actor2)),
        country: s.intern(get(Column::Country)),
        admin1: s.intern(get(Column::Admin1)),
        admin2: s.intern(get(Column::Admin2)),
        location: s.intern(get(Column::Location)),
        lat: lat.unwrap_or(f64::NAN),
        lon: lon.unwrap_or(f64::NAN),
        geo_precision,
        fatalities,
        notes: text(get(Column::Notes)),
        source: s.intern(get(Column::Source)),
        source_url: text(get(Column::SourceUrl)),
        evidence: text(get(Column::Evidence)),
        geocoded: says_geocoded(get(Column::Geocoded)),
        extra: Vec::new(),
        file: 0,
        line,
        offset: 0,
    })
}

/// The highest of ACLED's time and geo precisions (1 is the most precise).
const ACLED_MAX_PRECISION: u8 = 3;

/// The highest of UCDP's `date_prec`.
const UCDP_MAX_TIME_PRECISION: u8 = 5;

/// The highest of UCDP's `where_prec`.
const UCDP_MAX_GEO_PRECISION: u8 = 7;

/// When an incident happened.
struct When {
    /// The date, if given.
    date: Option<NaiveDate>,
    /// ACLED's time precision: the given one, else the one the date's form implies.
    time_precision: Option<u8>,
}

/// Parses the date and the time precision of a row; UCDP's precisions (`ucdp`) beyond
/// ACLED's are taken as ACLED's coarsest.
#[inline]
fn parse_when(date: &str, precision: &str, ucdp: bool) -> Result<When, FieldError> {
    let (date, implied_precision) = match parse_date(date) {
        Ok(Some((d, p))) => (Some(d), Some(p)),
        Ok(None) => (None, None),
        Err(m) => return Err(Rejection::new(Column::Date.name(), m.into())),
    };
    let max = if ucdp {
        UCDP_MAX_TIME_PRECISION
    } else {
        ACLED_MAX_PRECISION
    };
    let time_precision = match parse_small(precision, max) {
        Ok(Some(p)) if ucdp => Some(p.min(ACLED_MAX_PRECISION)),
        Ok(Some(p)) => Some(p),
        Ok(None) => implied_precision,
        Err(m) => return Err(Rejection::new(Column::TimePrecision.name(), m)),
    };
    Ok(When {
        date,
        time_precision,
    })
}

/// Parses the geo precision of a row; UCDP's (`ucdp`) are mapped to ACLED's.
#[inline]
fn parse_geo_precision(text: &str, ucdp: bool) -> Result<Option<u8>, FieldError> {
    let max = if ucdp {
        UCDP_MAX_GEO_PRECISION
    } else {
        ACLED_MAX_PRECISION
    };
    match parse_small(text, max) {
        Ok(Some(p)) if ucdp => Ok(Some(match p {
            1 => 1,
            2 | 3 => 2,
            _ => 3,
        })),
        Ok(p) => Ok(p),
        Err(m) => Err(Rejection::new(Column::GeoPrecision.name(), m)),
    }
}

/// What kind of event a row is.
struct EventTypes<'f> {
    /// ACLED's event type.
    event_type: &'f str,
    /// ACLED's sub-event type.
    sub_event_type: &'f str,
}

/// The event type and sub-event type of a row; UCDP's `type_of_violence` codes (`ucdp`)
/// become ACLED's names.
#[inline]
fn event_types<'f>(get: &dyn Fn(Column) -> &'f str, ucdp: bool) -> EventTypes<'f> {
    let (event_type, sub_event_type) = if ucdp {
        match get(Column::EventType) {
            "1" => ("Battles", "State-based conflict"),
            "2" => ("Battles", "Non-state conflict"),
            "3" => ("Violence against civilians", "One-sided violence"),
            other => (other, get(Column::SubEventType)),
        }
    } else {
        (get(Column::EventType), get(Column::SubEventType))
    };
    EventTypes {
        event_type,
        sub_event_type,
    }
}

/// Whether a `geocoded` field says yes: our own exports say which points came from the
/// geocoder (PostgreSQL writes `t`).
#[inline]
fn says_geocoded(flag: &str) -> bool {
    let flag = trim(flag);
    ["true", "t", "1", "yes"]
        .iter()
        .any(|t| flag.eq_ignore_ascii_case(t))
}

fn file_stem(origin: &str) -> String {
    Path::new(origin)
        .file_stem()
        .map_or_else(|| origin.to_string(), |s| s.to_string_lossy().into_owned())
}

/// Why a value is refused: the schema field at fault, by name, and what is wrong.
type FieldError = Rejection<'static>;

/// Parses the coordinates of a row: both or neither, in range, not swapped.
fn parse_point(
    lat: &str,
    lon: &str,
    country: &str,
) -> Result<(Option<f64>, Option<f64>), FieldError> {
    let parsed_lat = parse_coordinate(lat, 90.0, "latitude");
    let parsed_lon = parse_coordinate(lon, 180.0, "longitude");
    // |latitude| > 90 with a longitude that would be a fine latitude: swapped columns.
    if let (Err(_), Ok(Some(lo)), Ok(la)) = (
        &parsed_lat,
        &parsed_lon,
        super::decimal::parse_f64(trim(lat)),
    ) && la.abs() <= 180.0
        && lo.abs() <= 90.0
    {
        return Err(Rejection::new(
            "latitude",
            format!(
                "{la} is outside -90..90 and longitude {lo} would be a latitude: are latitude and longitude swapped?"
            ),
        ));
    }
    let lat = parsed_lat.map_err(|m| Rejection::new("latitude", m))?;
    let lon = parsed_lon.map_err(|m| Rejection::new("longitude", m))?;
    match (lat, lon) {
        (None, None) => Ok((None, None)),
        (Some(_), None) => Err(Rejection::new(
            "longitude",
            "missing while latitude is given".into(),
        )),
        (None, Some(_)) => Err(Rejection::new(
            "latitude",
            "missing while longitude is given".into(),
        )),
        (Some(la), Some(lo)) => {
            if la == 0.0 && lo == 0.0 {
                return Err(Rejection::new(
                    "latitude/longitude",
                    "0,0 is not a place here (a placeholder?): leave both empty when unknown"
                        .into(),
                ));
            }
            // Rows of our two countries, or of no stated country: a swap that lands in the
            // region is far likelier than an incident in the Arctic.
            let ours = trim(country).is_empty()
                || matches!(
                    country.to_lowercase().as_str(),
                    "afghanistan" | "tajikistan" | "af" | "tj" | "afg" | "tjk" | "4" | "762"
                );
            if ours && swapped_into_region(la, lo) {
                return Err(Rejection::new(
                    "latitude/longitude",
                    format!(
                        "({la}, {lo}) lies outside the region but ({lo}, {la}) is in it: are latitude and longitude swapped?"
                    ),
                ));
            }
            Ok((Some(la), Some(lo)))
        }
    }
}

fn parse_coordinate(text: &str, limit: f64, name: &str) -> Result<Option<f64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let value = match super::decimal::parse_f64(text) {
        Ok(v) => v,
        Err(_) => {
            if text.contains(',') && text.replacen(',', ".", 1).parse::<f64>().is_ok() {
                return Err(format!(
                    "{text:?} uses a decimal comma: write {}",
                    text.replacen(',', ".", 1)
                ));
            }
            return Err(format!("not a number: {text:?}"));
        }
    };
    if !value.is_finite() {
        return Err(format!("{text:?} is not a coordinate"));
    }
    if value.abs() > limit {
        return Err(format!("{name} {value} is outside -{limit}..{limit}"));
    }
    Ok(Some(value))
}

/// The most digits [`plain_digits`] reads: any nine make a number below `u32::MAX`.
const MAX_PLAIN_DIGITS: usize = 9;

/// `text` as a whole number when it is 1 to [`MAX_PLAIN_DIGITS`] ASCII digits, the value
/// `str::parse` gives, without its generic checks (a sign, overflow); None otherwise.
#[inline]
fn plain_digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > MAX_PLAIN_DIGITS {
        return None;
    }
    text.bytes().try_fold(0u32, |value, b| {
        b.is_ascii_digit().then(|| value * 10 + u32::from(b - b'0'))
    })
}

fn parse_small(text: &str, max: u8) -> Result<Option<u8>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let value = match plain_digits(text) {
        // Past 255 `str::parse::<u8>` fails, and past `max` so does the check below.
        Some(v) => u8::try_from(v).map_err(|_| ()),
        None => text.parse::<u8>().map_err(|_| ()),
    };
    match value {
        Ok(v) if (1..=max).contains(&v) => Ok(Some(v)),
        _ => Err(format!(
            "expected a whole number from 1 to {max}, got {text:?}"
        )),
    }
}

fn parse_count(text: &str) -> Result<Option<u32>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(n) = plain_digits(text).or_else(|| text.parse::<u32>().ok()) {
        return Ok(Some(n));
    }
    match text.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => Ok(Some(v as u32)),
        _ => Err(format!("not a count of people: {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    proptest::proptest! {
        /// Digits, signs and other text of every length read as `str::parse` reads them.
        #[test]
        fn small_numbers_parse_as_str_parse(text in "[+-]?[0-9]{0,12}|[0-9 .a+-]{0,4}", max in 1u8..8) {
            if let Some(v) = plain_digits(&text) {
                proptest::prop_assert_eq!(Ok(v), text.parse::<u32>());
            }
            let expected = match text.parse::<u8>() {
                _ if text.is_empty() => Ok(None),
                Ok(v) if (1..=max).contains(&v) => Ok(Some(v)),
                _ => Err(()),
            };
            proptest::prop_assert_eq!(parse_small(&text, max).map_err(|_| ()), expected);
            let count = text.parse::<u32>().ok().or_else(|| {
                text.parse::<f64>().ok().filter(|v| *v >= 0.0 && v.fract() == 0.0 && *v <= u32::MAX as f64).map(|v| v as u32)
            });
            let expected = if text.is_empty() { Ok(None) } else { count.map(Some).ok_or(()) };
            proptest::prop_assert_eq!(parse_count(&text).map_err(|_| ()), expected);
        }
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn load(text: &str) -> IncidentTable {
        load_reader(text.as_bytes(), "t.csv", &LoadOptions::default()).unwrap()
    }

    fn reasons(table: &IncidentTable) -> Vec<String> {
        table
            .rejected()
            .iter()
            .map(|r| r.problem.to_string())
            .collect()
    }

    /// The table as text: what every row became, with its line.
    fn account(table: &IncidentTable) -> Vec<String> {
        let mut out: Vec<String> = table
            .rows()
            .iter()
            .map(|r| {
                format!(
                    "{}:{} {} {:?} {}",
                    r.file,
                    r.line,
                    table.str(r.id),
                    r.point(),
                    table.str(r.notes)
                )
            })
            .collect();
        out.extend(
            table
                .rejected()
                .iter()
                .map(|r| format!("rejected {} {:?}", r.problem, r.raw)),
        );
        out.push(format!("{}", table.counts()));
        out
    }

    fn load_in_blocks(text: &[u8], block: usize, parts: usize) -> IncidentTable {
        let options = LoadOptions::default();
        let mut loader = Loader::new(&options);
        loader.block_bytes = block;
        loader.parts = parts;
        loader.add(text, "t.csv").unwrap();
        loader.table
    }

    proptest::proptest! {
        /// Any CSV, cut into blocks of any size, reads exactly as in one block: quoted
        /// newlines, escaped quotes, CRLF and ragged rows included.
        #[test]
        fn blocks_do_not_change_the_result(
            rows in proptest::collection::vec(
                (0u8..6, "[a-z ,\"\n]{0,12}", proptest::bool::ANY),
                1..40,
            ),
            crlf in proptest::bool::ANY,
            block in 1usize..64,
            parts in 1usize..12,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("id,lat,lon,notes{eol}");
            for (i, (kind, note, dup)) in rows.iter().enumerate() {
                let id = if *dup { "dup".to_string() } else { format!("r{i}") };
                let quoted = note.replace('"', "\"\"");
                let line = match kind {
                    0 => format!("{id},37.5,69.1,\"{quoted}\""),
                    1 => format!("{id},37.5{eol}"),
                    2 => format!("{id},abc,69.1,x"),
                    3 => format!("{id},,,\"{quoted}\""),
                    _ => format!("{id},38.0,70.5,plain"),
                };
                text.push_str(&line);
                text.push_str(eol);
            }
            // One block in one part, read serially, against blocks cut in parts that the
            // threads parse in parallel.
            let whole = load_in_blocks(text.as_bytes(), 1 << 20, 1);
            let cut = load_in_blocks(text.as_bytes(), block, parts);
            proptest::prop_assert_eq!(account(&whole), account(&cut), "{:?}", text);
            let counts = whole.counts();
            proptest::prop_assert_eq!(counts.read, rows.len());
            proptest::prop_assert_eq!(counts.read, counts.indexed + counts.unlocated + counts.rejected);

            // Each located row's offset leads back to its record: reading only those
            // records gives the same rows.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            std::fs::write(&path, &text).unwrap();
            let located: Vec<&Incident> = cut.rows().iter().filter(|r| r.point().is_some()).collect();
            let offsets: Vec<u64> = located.iter().map(|r| r.offset).collect();
            let again = load_records(&path, &offsets, &LoadOptions::default()).unwrap();
            let summary = |table: &IncidentTable, rows: &[&Incident]| -> Vec<(String, String)> {
                rows.iter()
                    .map(|r| (table.str(r.id).to_string(), format!("{:?}", table.fields(r))))
                    .collect()
            };
            let again_rows: Vec<&Incident> = again.rows().iter().collect();
            proptest::prop_assert_eq!(summary(&again, &again_rows), summary(&cut, &located), "{:?}", text);
        }
    }

    #[test]
    fn recycled_texts_keep_their_allocation() {
        let mut texts = Vec::with_capacity(16);
        texts.push("a");
        let at = texts.as_ptr() as usize;
        let again: Vec<&str> = recycled(texts);
        assert_eq!((again.len(), again.capacity()), (0, 16));
        assert_eq!(again.as_ptr() as usize, at);
    }

    #[test]
    fn parts_are_cut_at_record_boundaries() {
        let block = b"a,\"x\ny\"\nb,c\n\"q\"\"\n\",d\r\n\ne,\"\"\n";
        for parts in 1..block.len() + 2 {
            let cuts = part_cuts(block, parts);
            assert_eq!(cuts.len(), parts + 1);
            assert_eq!((cuts[0], cuts[parts]), (0, block.len()));
            assert!(cuts.windows(2).all(|w| w[0] <= w[1]), "{cuts:?}");
            for &cut in &cuts {
                let boundary = cut == 0 || block[cut - 1] == b'\n';
                assert!(boundary && quotes_balanced(&block[..cut]), "{parts}: {cut}");
            }
        }
    }

    #[test]
    fn the_last_record_ends_where_a_full_count_puts_it() {
        let block = b"a,\"x\ny\"\nb,c\n\"q\"\"\n\",d\r\n\ne,\"\"\nf,\"open\nquote";
        for len in 0..=block.len() {
            let read = &block[..len];
            for parts in 1..len + 2 {
                let cuts = part_cuts(read, parts);
                let end = last_record_end_after(read, cuts[parts - 1]);
                assert_eq!(end, last_record_end(read), "{len} bytes, {parts} parts");
            }
        }
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter(b"a;b;c"), b';');
        assert_eq!(sniff_delimiter(b"a\tb"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c"), b',');
        assert_eq!(sniff_delimiter(b"abc"), b',');
    }

    #[test]
    fn rows_are_counted_and_checked() {
        let table = load(
            "event_id_cnty,event_date,latitude,longitude,fatalities,location,country\n\
             A1,2020-11-19,38.4,71.0,3,,Afghanistan\n\
             A2,2020-13-01,38.4,71.0,,,Afghanistan\n\
             A3,2020-11-19,95,71.0,,,Afghanistan\n\
             A4,2020-11-19,68.9,37.2,,,Afghanistan\n\
             A5,2020-11-19,\"38,4\",71.0,,,Afghanistan\n\
             A6,2020-11-19,NaN,71.0,,,Afghanistan\n\
             A1,2020-11-19,38.4,71.0,,,Afghanistan\n\
             A7,,,,,Kevron,Tajikistan\n\
             A8,,,,,Fayzabad,\n\
             A9,2020-11-19,38.4\n\
             A10,2020-11-19,38.4,71.0,-2,,\n",
        );
        let counts = table.counts();
        assert_eq!(counts.read, 11);
        assert_eq!(
            counts.read,
            counts.indexed + counts.unlocated + counts.rejected
        );
        assert_eq!(
            (counts.indexed, counts.unlocated, counts.rejected),
            (2, 1, 8)
        );
        let reasons = reasons(&table);
        assert_eq!(
            reasons[0],
            "t.csv:3: event_date: not a date: \"2020-13-01\" (use YYYY-MM-DD, \"19 November 2020\", or YYYY-MM for a month; leave it empty when unknown)"
        );
        assert_eq!(
            reasons[1],
            "t.csv:4: latitude: 95 is outside -90..90 and longitude 71 would be a latitude: are latitude and longitude swapped?"
        );
        assert_eq!(
            reasons[2],
            "t.csv:5: latitude/longitude: (68.9, 37.2) lies outside the region but (37.2, 68.9) is in it: are latitude and longitude swapped?"
        );
        assert_eq!(
            reasons[3],
            "t.csv:6: latitude: \"38,4\" uses a decimal comma: write 38.4"
        );
        assert_eq!(reasons[4], "t.csv:7: latitude: \"NaN\" is not a coordinate");
        assert_eq!(
            reasons[5],
            "t.csv:8: event_id_cnty: duplicate id \"A1\" (first at t.csv:2)"
        );
        assert_eq!(reasons[6], "t.csv:11: row: expected 7 fields, found 3");
        assert_eq!(
            reasons[7],
            "t.csv:12: fatalities: not a count of people: \"-2\""
        );
        let kevron = table
            .rows()
            .iter()
            .find(|r| table.str(r.id) == "A7")
            .unwrap();
        assert!(kevron.geocoded);
        assert_eq!(kevron.geo_precision, Some(1));
        assert!(
            table.unlocated()[0]
                .to_string()
                .starts_with("t.csv:10: location: \"Fayzabad\" is ambiguous")
        );
    }

    #[test]
    fn semicolons_bom_and_crlf_are_read() {
        let table =
            load("\u{feff}id;lat;lon;date\r\nX;37,5;69,1;2021-01-02\r\nY;37.5;69.1;2021-01-02\r\n");
        assert_eq!(table.counts().read, 2);
        assert_eq!(table.counts().indexed, 1);
        assert_eq!(table.rows()[0].date, Some(ymd(2021, 1, 2)));
    }

    #[test]
    fn unknown_dates_stay_unknown() {
        let table = load("id,lat,lon,date,time_precision\nX,37.5,69.1,,\n");
        assert_eq!(table.rows()[0].date, None);
        assert_eq!(table.rows()[0].time_precision, None);
    }

    #[test]
    fn extra_columns_are_kept() {
        let table = load("id,lat,lon,tags,inter1\nX,37.5,69.1,\"a, b\",3\n");
        assert_eq!(table.extra_columns(), ["tags", "inter1"]);
        let extra: Vec<(u16, &str)> = table.rows()[0]
            .extra
            .iter()
            .map(|(s, t)| (*s, table.str(*t)))
            .collect();
        assert_eq!(extra, vec![(0, "a, b"), (1, "3")]);
    }

    #[test]
    fn ucdp_values_are_mapped() {
        let table = load(
            "id,type_of_violence,side_a,side_b,where_prec,date_prec,date_start,latitude,longitude,best\n\
             1,1,Government of Tajikistan,IS,4,2,2019-11-06,38.0,68.6,17\n",
        );
        let row = &table.rows()[0];
        assert_eq!(table.text(row.event_type), "Battles");
        assert_eq!(row.geo_precision, Some(3));
        assert_eq!(row.time_precision, Some(2));
        assert_eq!(row.fatalities, Some(17));
        assert_eq!(table.text(row.actor1), "Government of Tajikistan");
    }

    #[test]
    fn binary_files_are_refused_as_such() {
        let err = load_reader(
            &b"PK\x03\x04\x00\x00"[..],
            "x.xlsx",
            &LoadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.xlsx:1: file: binary data, not CSV or GeoJSON text (export the sheet as CSV, UTF-8)"
        );
    }

    #[test]
    fn files_without_usable_columns_are_errors() {
        let err =
            load_reader("a,b\n1,2\n".as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "t.csv:1: header: no latitude/longitude and no location column among: a, b"
            ),
            "{err}"
        );
        let err = load_reader("".as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:1: header: empty file: expected a header row"
        );
    }

    #[test]
    fn invalid_utf8_rejects_the_row_only() {
        let mut text = b"id,lat,lon,notes\nX,37.5,69.1,ok\nY,37.5,69.1,".to_vec();
        text.extend([0xff, 0xfe, b'\n']);
        let table = load_reader(&text[..], "t.csv", &LoadOptions::default()).unwrap();
        assert_eq!(table.counts().indexed, 1);
        assert_eq!(reasons(&table), ["t.csv:3: notes: invalid UTF-8"]);
    }
}
