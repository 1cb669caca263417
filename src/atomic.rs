//! Every output file is written through [`write_atomically`]: a temporary file in the same
//! folder, flushed and synced, then renamed over the target. An interrupted run leaves the
//! previous file as it was and, at worst, a `.borderwatch-*.tmp` file that the next run of the
//! same output removes.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::error::Error;

const TEMP_PREFIX: &str = ".borderwatch-";

/// Writes `path` through `fill`, atomically: readers see the old file or the whole new one.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.csv");
/// borderwatch::atomic::write_atomically(&path, |w| w.write_all(b"a,b\n")).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
/// ```
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    remove_stale_temporaries(dir, &name);
    let temp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    write_behind(temp.as_file(), fill).map_err(|e| Error::io(path, e))?;
    // A temporary file is private (0600); give the output the usual permissions, or those of
    // the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Runs `fill` with a writer whose buffers a second thread writes to `file`: the system
/// calls (copying into the page cache costs as much as encoding a large layer) overlap with
/// the work that produces the bytes. The first error of either side is returned.
fn write_behind(
    file: &fs::File,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (full_sender, full) = sync_channel::<Vec<u8>>(BUFFERS);
    let (empty_sender, empty) = sync_channel::<Vec<u8>>(BUFFERS);
    std::thread::scope(|scope| {
        let writing = scope.spawn(move || -> std::io::Result<()> {
            let mut file = file;
            let mut offset = 0;
            for mut buffer in full {
                file.write_all(&buffer)?;
                start_writeback(file, offset, buffer.len());
                offset += buffer.len() as u64;
                buffer.clear();
                // The filler may be done and gone: the buffer is then just dropped.
                let _ = empty_sender.try_send(buffer);
            }
            Ok(())
        });
        let mut writer = WriteBehind {
            buffer: Vec::with_capacity(BUFFER_BYTES),
            full: full_sender,
            empty,
        };
        let filled = fill(&mut writer).and_then(|()| writer.flush());
        drop(writer);
        let written = writing.join().expect("the writing thread does not panic");
        // A failed write stops the filler with a bare "stopped": report the write's error.
        written.and(filled)
    })
}

/// Asks the kernel to start writing a range to disk now, so that the final sync has little
/// left to wait for (Linux; elsewhere the sync does it all).
#[cfg(target_os = "linux")]
fn start_writeback(file: &fs::File, offset: u64, len: usize) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on an open descriptor; it reads no memory of ours. A
    // failure only means the final sync does the work.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &fs::File, _: u64, _: usize) {}

/// Buffers of the write-behind writer in flight, and their size.
const BUFFERS: usize = 4;
const BUFFER_BYTES: usize = 1 << 20;

/// The filling side of [`write_behind`]: bytes gather in a buffer, full buffers go to the
/// writing thread, written ones come back.
struct WriteBehind {
    buffer: Vec<u8>,
    full: SyncSender<Vec<u8>>,
    empty: Receiver<Vec<u8>>,
}

impl WriteBehind {
    fn hand_over(&mut self) -> std::io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BUFFER_BYTES));
        let full = std::mem::replace(&mut self.buffer, next);
        self.full
            .send(full)
            .map_err(|_| std::io::Error::other("the output stopped being written"))
    }
}

impl Write for WriteBehind {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= BUFFER_BYTES {
            self.hand_over()?;
        }
        Ok(bytes.len())
    }

    /// Hands what is buffered to the writing thread (written by the time
    /// [`write_behind`] returns).
    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.hand_over()
    }
}

/// Removes temporaries of `name` left by a run that was killed.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!("{TEMP_PREFIX}{name}.");
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            if file.starts_with(&prefix) && file.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layer.geojson");
        fs::write(&path, "old").unwrap();
        let result = write_atomically(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn stale_temporaries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".borderwatch-out.csv.abc123.tmp");
        fs::write(&stale, "junk").unwrap();
        write_atomically(&dir.path().join("out.csv"), |w| w.write_all(b"x")).unwrap();
        assert!(!stale.exists());
    }
}
