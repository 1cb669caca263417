//! Progress of long reads, told to whoever shows it: the library counts, the command line
//! draws (a bar on a terminal, nothing otherwise).

use std::io::Read;
use std::sync::Arc;

/// A callback told how many more bytes of input were read.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use borderwatch::progress::Progress;
/// let seen = Arc::new(AtomicU64::new(0));
/// let counter = seen.clone();
/// let progress = Progress::new(move |bytes| {
///     counter.fetch_add(bytes, Ordering::Relaxed);
/// });
/// let mut text = String::new();
/// std::io::Read::read_to_string(&mut progress.reader(&b"abc"[..]), &mut text).unwrap();
/// assert_eq!(seen.load(Ordering::Relaxed), 3);
/// ```
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(u64) + Send + Sync>);

impl Progress {
    /// A progress that calls `advance` with the bytes read since the last call.
    pub fn new(advance: impl Fn(u64) + Send + Sync + 'static) -> Progress {
        Progress(Arc::new(advance))
    }

    /// `inner`, telling this progress of every read.
    pub fn reader<R: Read>(&self, inner: R) -> ProgressReader<R> {
        ProgressReader {
            inner,
            progress: self.clone(),
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// A reader that tells a [`Progress`] how much it read.
pub struct ProgressReader<R> {
    inner: R,
    progress: Progress,
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress.0)(n as u64);
        Ok(n)
    }
}
