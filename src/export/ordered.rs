//! A finished spill's rows, or what is made of them, brought into another order (the
//! Hilbert order of the writers), a batch of consecutive positions at a time.
//!
//! Rows kept in memory are read where they are. Rows in the spill's temporary file would
//! each cost a read of their own in another order (a million system calls for a million
//! incidents); instead the file is read from start to end in runs of rows, and what each row
//! gives is put at its position in a [`Scatter`]: kept in memory up to a limit, past it
//! written to a second temporary file in extents of one buffer of a batch each, so that a
//! batch is then a few large reads.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;

use super::rows::Row;
use super::spill::{SpilledRows, parse};
use super::store::Stored;

/// Rows are read from the spill's file in runs of about this many bytes.
const RUN_BYTES: u64 = 4 << 20;

/// What the buffers of a scatter in a file hold at most in all, in bytes, and what one holds
/// at most and at least.
const SCATTER_BYTES: usize = 16 << 20;
const BUFFER_MAX: usize = 1 << 20;
const BUFFER_MIN: usize = 64 << 10;

/// Byte strings put at positions `0..count`, read back a batch of consecutive positions at
/// a time; in memory up to a limit, past it in a temporary file.
pub(crate) struct Scatter {
    /// Positions a batch.
    batch: usize,
    /// What each batch holds in memory: all of it, or what is not yet in the file.
    buffers: Vec<Vec<u8>>,
    /// Where each batch's bytes are in the file, in order, before those of its buffer.
    extents: Vec<Vec<Range<u64>>>,
    /// Where each position's bytes are among its batch's, and their length.
    at: Vec<u64>,
    lengths: Vec<u32>,
    /// Bytes put in each batch so far.
    filled: Vec<u64>,
    file: Option<File>,
    /// The end of the file.
    end: u64,
    /// Bytes in the buffers, and the most they hold before moving to the file.
    memory: usize,
    limit: usize,
    /// Bytes a buffer holds before it is written, once in the file.
    capacity: usize,
}

impl Scatter {
    /// An empty scatter of `count` positions in batches of `batch`, keeping up to `limit`
    /// bytes in memory.
    pub(crate) fn new(count: usize, batch: usize, limit: usize) -> Scatter {
        let batch = batch.max(1);
        let batches = count.div_ceil(batch);
        Scatter {
            batch,
            buffers: vec![Vec::new(); batches],
            extents: vec![Vec::new(); batches],
            at: vec![0; count],
            lengths: vec![0; count],
            filled: vec![0; batches],
            file: None,
            end: 0,
            memory: 0,
            limit,
            capacity: (SCATTER_BYTES / batches.max(1)).clamp(BUFFER_MIN, BUFFER_MAX),
        }
    }

    /// A scatter of whole batches of `batch` positions, all in memory: `buffers[k]` holds
    /// the bytes of batch `k`'s positions one after the other, and `lengths` the length of
    /// each position's, in position order.
    pub(crate) fn of_batches(batch: usize, buffers: Vec<Vec<u8>>, lengths: Vec<u32>) -> Scatter {
        let batch = batch.max(1);
        assert_eq!(
            buffers.len(),
            lengths.len().div_ceil(batch),
            "a buffer a batch"
        );
        let mut at = Vec::with_capacity(lengths.len());
        for part in lengths.chunks(batch) {
            let mut offset = 0;
            for &length in part {
                at.push(offset);
                offset += u64::from(length);
            }
        }
        let filled = buffers.iter().map(|b| b.len() as u64).collect();
        let memory = buffers.iter().map(Vec::len).sum();
        Scatter {
            batch,
            extents: vec![Vec::new(); buffers.len()],
            buffers,
            at,
            lengths,
            filled,
            file: None,
            end: 0,
            memory,
            limit: usize::MAX,
            capacity: 0,
        }
    }

    /// Puts `bytes` at `position` (each position once).
    pub(crate) fn put(&mut self, position: usize, bytes: &[u8]) -> io::Result<()> {
        let k = position / self.batch;
        self.at[position] = self.filled[k];
        self.lengths[position] = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other("a row of over 4 GB cannot be exported"))?;
        self.filled[k] += bytes.len() as u64;
        if self.file.is_some()
            && !self.buffers[k].is_empty()
            && self.buffers[k].len() + bytes.len() > self.capacity
        {
            self.write_buffer(k)?;
        }
        self.buffers[k].extend_from_slice(bytes);
        self.memory += bytes.len();
        if self.file.is_none() && self.memory > self.limit {
            self.file = Some(tempfile::tempfile()?);
            for k in 0..self.buffers.len() {
                self.write_buffer(k)?;
                self.buffers[k] = Vec::with_capacity(self.capacity);
            }
        }
        Ok(())
    }

    /// Moves what batch `k`'s buffer holds to the end of the file.
    fn write_buffer(&mut self, k: usize) -> io::Result<()> {
        let buffer = &mut self.buffers[k];
        if buffer.is_empty() {
            return Ok(());
        }
        let file = self.file.as_ref().expect("written once in a file");
        file.write_all_at(buffer, self.end)?;
        let len = buffer.len() as u64;
        self.extents[k].push(self.end..self.end + len);
        self.end += len;
        self.memory -= buffer.len();
        buffer.clear();
        Ok(())
    }

    /// How many batches.
    pub(crate) fn batches(&self) -> usize {
        self.buffers.len()
    }

    /// The length of what is at `position`.
    pub(crate) fn length(&self, position: usize) -> u32 {
        self.lengths[position]
    }

    /// Batch `k`: positions `k * batch` on, each put before; any thread may read one at once.
    pub(crate) fn batch(&self, k: usize) -> io::Result<ScatterBatch<'_>> {
        let buffer = &self.buffers[k];
        let bytes = match (&self.file, self.extents[k].as_slice()) {
            (_, []) => Cow::Borrowed(buffer.as_slice()),
            (None, _) => unreachable!("extents are in the file"),
            (Some(file), extents) => {
                let mut bytes = vec![0; self.filled[k] as usize];
                let mut at = 0;
                for extent in extents {
                    let len = (extent.end - extent.start) as usize;
                    file.read_exact_at(&mut bytes[at..at + len], extent.start)?;
                    at += len;
                }
                bytes[at..].copy_from_slice(buffer);
                Cow::Owned(bytes)
            }
        };
        let positions = batch_positions(k, self.batch, self.at.len());
        Ok(ScatterBatch {
            bytes,
            at: &self.at[positions.clone()],
            lengths: &self.lengths[positions],
        })
    }
}

/// The bytes of one batch of a [`Scatter`].
pub(crate) struct ScatterBatch<'s> {
    bytes: Cow<'s, [u8]>,
    at: &'s [u64],
    lengths: &'s [u32],
}

impl ScatterBatch<'_> {
    /// How many positions.
    pub(crate) fn len(&self) -> usize {
        self.at.len()
    }

    /// What is at the batch's position `j`.
    pub(crate) fn get(&self, j: usize) -> &[u8] {
        let start = self.at[j] as usize;
        &self.bytes[start..start + self.lengths[j] as usize]
    }
}

/// Consecutive rows of a spill, read at once.
pub(crate) struct Run<'r> {
    rows: &'r SpilledRows,
    numbers: Range<usize>,
    /// Where the run starts in the store, and its bytes.
    start: u64,
    bytes: Cow<'r, [u8]>,
}

impl Run<'_> {
    /// The row numbers of the run.
    pub(crate) fn numbers(&self) -> Range<usize> {
        self.numbers.clone()
    }

    /// Row `i` (a number of the run), its bytes.
    pub(crate) fn bytes(&self, i: usize) -> &[u8] {
        let range = self.rows.range(i);
        &self.bytes[(range.start - self.start) as usize..(range.end - self.start) as usize]
    }

    /// Row `i` (a number of the run).
    pub(crate) fn row(&self, i: usize) -> io::Result<Row<'_>> {
        parse(self.bytes(i))
    }
}

impl SpilledRows {
    /// The rows in runs of consecutive rows of about 4 MB (a row longer stands alone).
    pub(crate) fn runs(&self) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let mut first = 0;
        while first < self.len() {
            let start = self.range(first).start;
            let mut last = first + 1;
            while last < self.len() && self.range(last).end - start <= RUN_BYTES {
                last += 1;
            }
            runs.push(first..last);
            first = last;
        }
        runs
    }

    /// The rows `numbers`, one of [`SpilledRows::runs`], read at once.
    pub(crate) fn run(&self, numbers: Range<usize>) -> io::Result<Run<'_>> {
        let (start, end) = match numbers.is_empty() {
            true => (0, 0),
            false => (
                self.range(numbers.start).start,
                self.range(numbers.end - 1).end,
            ),
        };
        let bytes = match self.stored() {
            Stored::Memory(kept) => Cow::Borrowed(&kept[start as usize..end as usize]),
            Stored::File(file) => {
                let mut bytes = vec![0; (end - start) as usize];
                file.read_exact_at(&mut bytes, start)?;
                Cow::Owned(bytes)
            }
        };
        Ok(Run {
            rows: self,
            numbers,
            start,
            bytes,
        })
    }

    /// The rows in `order` (a permutation of the row numbers), in batches of `batch`
    /// positions; the rows of a spill kept in a file are moved to a [`Scatter`] first.
    pub(crate) fn in_order<'r>(
        &'r self,
        order: &'r [usize],
        batch: usize,
    ) -> io::Result<InOrder<'r>> {
        let batch = batch.max(1);
        let scatter = match self.stored() {
            Stored::Memory(_) => None,
            Stored::File(_) => {
                let position = positions(order);
                let mut scatter = Scatter::new(order.len(), batch, 0);
                for numbers in self.runs() {
                    let run = self.run(numbers)?;
                    for i in run.numbers() {
                        scatter.put(position[i], run.bytes(i))?;
                    }
                }
                Some(scatter)
            }
        };
        Ok(InOrder {
            rows: self,
            order,
            batch,
            scatter,
        })
    }
}

/// The positions of batch `k` of `count` positions in batches of `batch`.
fn batch_positions(k: usize, batch: usize, count: usize) -> Range<usize> {
    let first = k * batch;
    first..(first + batch).min(count)
}

/// The position of each row number in `order`, a permutation of them.
pub(crate) fn positions(order: &[usize]) -> Vec<usize> {
    let mut position = vec![0; order.len()];
    for (p, &i) in order.iter().enumerate() {
        position[i] = p;
    }
    position
}

/// The rows of a [`SpilledRows`] in an order, in batches of consecutive positions.
pub(crate) struct InOrder<'r> {
    rows: &'r SpilledRows,
    order: &'r [usize],
    batch: usize,
    /// The rows at their positions (None: read in place, from memory).
    scatter: Option<Scatter>,
}

impl InOrder<'_> {
    /// How many batches.
    pub(crate) fn batches(&self) -> usize {
        self.order.len().div_ceil(self.batch)
    }

    /// Batch `k`: positions `k * batch` on; any thread may read one at once.
    pub(crate) fn batch(&self, k: usize) -> io::Result<Batch<'_>> {
        let positions = batch_positions(k, self.batch, self.order.len());
        Ok(Batch {
            rows: self.rows,
            order: &self.order[positions],
            scattered: self.scatter.as_ref().map(|s| s.batch(k)).transpose()?,
        })
    }
}

/// One batch of rows, in order.
pub(crate) struct Batch<'r> {
    rows: &'r SpilledRows,
    /// The row numbers of the batch's positions.
    order: &'r [usize],
    /// The batch's rows (None: read in place).
    scattered: Option<ScatterBatch<'r>>,
}

impl Batch<'_> {
    /// How many rows.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// The row number of position `j` of the batch.
    pub(crate) fn row_number(&self, j: usize) -> usize {
        self.order[j]
    }

    /// The row at position `j` of the batch.
    pub(crate) fn row(&self, j: usize) -> io::Result<Row<'_>> {
        match (&self.scattered, self.rows.stored()) {
            (Some(scattered), _) => parse(scattered.get(j)),
            (None, Stored::Memory(kept)) => {
                let range = self.rows.range(self.order[j]);
                parse(&kept[range.start as usize..range.end as usize])
            }
            (None, Stored::File(_)) => unreachable!("a spill in a file is read scattered"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::rows::Cell;
    use crate::export::spill::Spill;
    use crate::export::store::{MEMORY_BYTES, Store};
    use serde_json::json;

    /// A spill of `n` points whose column `n` is the row number, moved to its file after
    /// `limit` bytes.
    fn spill(n: usize, limit: usize) -> SpilledRows {
        let mut spill = Spill::with_store(Store::new(limit));
        for i in 0..n {
            let point = geo::Geometry::from(geo::Point::new(70.0 + i as f64 / 100.0, 37.0));
            let properties = json!({"n": i, "pad": "x".repeat(i % 7)});
            spill
                .push(Some(&point), properties.as_object().unwrap())
                .unwrap();
        }
        spill.finish().unwrap()
    }

    /// The row numbers read back in `order` by batches of `batch`, with each batch's length.
    fn read(rows: &SpilledRows, order: &[usize], batch: usize) -> (Vec<usize>, Vec<usize>) {
        let ordered = rows.in_order(order, batch).unwrap();
        let mut numbers = Vec::new();
        let mut lengths = Vec::new();
        for k in 0..ordered.batches() {
            let b = ordered.batch(k).unwrap();
            lengths.push(b.len());
            for j in 0..b.len() {
                let (_, cell) = b.row(j).unwrap().cells().next().unwrap().unwrap();
                assert_eq!(cell, Cell::Long(b.row_number(j) as i64));
                numbers.push(b.row_number(j));
            }
        }
        (numbers, lengths)
    }

    #[test]
    fn rows_come_in_the_order_asked_from_memory_and_from_the_file() {
        let n = 1000;
        // A scrambled order: 0, 337, 674, 11, ...
        let order: Vec<usize> = (0..n).map(|p| p * 337 % n).collect();
        for limit in [MEMORY_BYTES, 0, 5_000] {
            let rows = spill(n, limit);
            let (numbers, lengths) = read(&rows, &order, 64);
            assert_eq!(numbers, order, "limit {limit}");
            assert_eq!(lengths.len(), 16);
            assert!(lengths[..15].iter().all(|&l| l == 64));
            assert_eq!(lengths[15], 1000 - 15 * 64);
        }
    }

    #[test]
    fn one_batch_or_one_row_a_batch_or_no_rows() {
        let rows = spill(10, 0);
        let order: Vec<usize> = (0..10).rev().collect();
        assert_eq!(read(&rows, &order, 100).0, order);
        assert_eq!(read(&rows, &order, 1).1, vec![1; 10]);
        let empty = spill(0, 0);
        assert_eq!(empty.in_order(&[], 8).unwrap().batches(), 0);
        assert!(empty.runs().is_empty());
    }

    #[test]
    fn runs_cover_every_row_once_in_order() {
        let rows = spill(300, 0);
        let runs = rows.runs();
        assert_eq!(runs.first().map(|r| r.start), Some(0));
        assert!(runs.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(runs.last().map(|r| r.end), Some(300));
        let run = rows.run(runs[0].clone()).unwrap();
        let (_, cell) = run.row(7).unwrap().cells().next().unwrap().unwrap();
        assert_eq!(cell, Cell::Long(7));
    }

    /// What a scatter of 50 positions in batches of 8 gives back, kept in memory up to
    /// `limit` bytes, its buffers written at `capacity` once in the file; position p holds p
    /// copies of the byte p, put in a scrambled order.
    fn scattered(limit: usize, capacity: usize) -> Vec<Vec<u8>> {
        let n = 50;
        let mut scatter = Scatter::new(n, 8, limit);
        scatter.capacity = capacity;
        for p in (0..n).map(|i| i * 17 % n) {
            scatter.put(p, &vec![p as u8; p]).unwrap();
        }
        read_back(&scatter)
    }

    /// What a scatter of 50 positions in 7 batches gives back, position after position.
    fn read_back(scatter: &Scatter) -> Vec<Vec<u8>> {
        assert_eq!(scatter.batches(), 7);
        assert_eq!(scatter.length(9), 9);
        let mut back = Vec::new();
        for k in 0..scatter.batches() {
            let batch = scatter.batch(k).unwrap();
            back.extend((0..batch.len()).map(|j| batch.get(j).to_vec()));
        }
        back
    }

    #[test]
    fn a_scatter_gives_back_each_position_alike_from_memory_and_from_its_file() {
        let in_memory = scattered(MEMORY_BYTES, BUFFER_MIN);
        assert_eq!(in_memory.len(), 50);
        assert!(
            in_memory
                .iter()
                .enumerate()
                .all(|(p, bytes)| *bytes == vec![p as u8; p])
        );
        // In the file from the start, moved there half-way, and in extents of 40 bytes or
        // a row.
        assert_eq!(scattered(0, BUFFER_MIN), in_memory);
        assert_eq!(scattered(600, BUFFER_MIN), in_memory);
        assert_eq!(scattered(0, 40), in_memory);
    }

    #[test]
    fn a_scatter_of_whole_batches_gives_back_what_the_same_puts_give() {
        let (n, batch) = (50, 8);
        let lengths: Vec<u32> = (0..n as u32).collect();
        let buffers = (0..n)
            .step_by(batch)
            .map(|first| {
                (first..(first + batch).min(n))
                    .flat_map(|p| vec![p as u8; p])
                    .collect()
            })
            .collect();
        let scatter = Scatter::of_batches(batch, buffers, lengths);
        assert_eq!(read_back(&scatter), scattered(MEMORY_BYTES, BUFFER_MIN));
    }
}
