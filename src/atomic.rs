//! Every output file is written through [`write_atomically`]: a temporary file in the same
//! folder, flushed and synced, then renamed over the target. An interrupted run leaves the
//! previous file as it was and, at worst, a `.borderwatch-*.tmp` file that the next run of the
//! same output removes.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

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
    let mut writer = BufWriter::with_capacity(1 << 20, temp);
    fill(&mut writer).map_err(|e| Error::io(path, e))?;
    let temp = writer
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
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
