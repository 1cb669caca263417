//! Bytes written in order and kept in memory up to a limit, past it in an unnamed temporary
//! file (removed by the system when dropped): so memory stays flat however long a layer.
//! Read back by `ordered`. A leaf.

use std::fs::File;
use std::io::{self, BufWriter, Write};

/// What a store keeps in memory at most by default, in bytes: about 130,000 incidents'
/// spilled rows, at some 470 bytes each.
pub(crate) const MEMORY_BYTES: usize = 64 << 20;

/// The buffer of the temporary file's writes.
const FILE_BUFFER: usize = 1 << 20;

/// Bytes being written.
pub(crate) struct Store {
    kept: Kept,
    /// The bytes kept in memory at most.
    limit: usize,
    len: u64,
}

enum Kept {
    Memory(Vec<u8>),
    File(BufWriter<File>),
}

impl Store {
    /// An empty store that keeps up to `limit` bytes in memory.
    pub(crate) fn new(limit: usize) -> Store {
        Store {
            kept: Kept::Memory(Vec::new()),
            limit,
            len: 0,
        }
    }

    /// How many bytes were written.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Appends `bytes`, moving everything to a temporary file when memory would pass the
    /// limit.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.kept {
            Kept::Memory(kept) if kept.len() + bytes.len() <= self.limit => {
                kept.extend_from_slice(bytes);
            }
            Kept::Memory(kept) => {
                let mut file = BufWriter::with_capacity(FILE_BUFFER, tempfile::tempfile()?);
                file.write_all(kept)?;
                file.write_all(bytes)?;
                self.kept = Kept::File(file);
            }
            Kept::File(file) => file.write_all(bytes)?,
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Ends writing.
    pub(crate) fn finish(self) -> io::Result<Stored> {
        Ok(match self.kept {
            Kept::Memory(kept) => Stored::Memory(kept),
            Kept::File(file) => Stored::File(file.into_inner().map_err(|e| e.into_error())?),
        })
    }
}

/// Bytes written, to read back.
pub(crate) enum Stored {
    Memory(Vec<u8>),
    File(File),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileExt;

    #[test]
    fn bytes_read_back_alike_from_memory_and_from_the_file() {
        for limit in [0, 5, MEMORY_BYTES] {
            let mut store = Store::new(limit);
            for part in [&b"Sher Khan "[..], b"Bandar", b""] {
                store.write(part).unwrap();
            }
            let len = store.len() as usize;
            let all = match store.finish().unwrap() {
                Stored::Memory(kept) => kept,
                Stored::File(file) => {
                    let mut all = vec![0; len];
                    file.read_exact_at(&mut all, 0).unwrap();
                    all
                }
            };
            assert_eq!(all, b"Sher Khan Bandar", "limit {limit}");
        }
    }
}
