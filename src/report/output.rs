//! Writing a report to `--output FILE`: whole or not at all, so a CI step never uploads half a
//! report and an interrupted run leaves the previous report in place.

use std::io::Write;
use std::path::Path;

/// Writes `text` to a temporary file beside `path`, then renames it over `path`.
pub fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    write_whole_with(path, |file| file.write_all(text.as_bytes()))
}

/// Lets `write` fill a temporary file beside `path`, then renames it over `path`; when `write`
/// fails, `path` is left as it was.
pub fn write_whole_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };

    // The temporary file lives in the same folder so the rename stays on one file system,
    // where it is atomic; it is removed when dropped before `persist`.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".escalint-output-");
    // A report is an ordinary file: readable by others as the umask allows, not 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temporary = builder.tempfile_in(folder)?;
    // A file replaced keeps its permissions: a private Compose file that `--fix` rewrites stays
    // private.
    if let Ok(metadata) = std::fs::metadata(path) {
        temporary
            .as_file()
            .set_permissions(metadata.permissions())?;
    }
    write(temporary.as_file_mut())?;
    temporary.as_file().sync_all()?;

    temporary.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_replaces_the_file_and_leaves_no_temporary_file() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("report.txt");
        std::fs::write(&path, "old").expect("written");

        write_whole(&path, "new report\n").expect("written whole");

        assert_eq!(
            std::fs::read_to_string(&path).expect("readable"),
            "new report\n"
        );
        let names: Vec<_> = std::fs::read_dir(folder.path())
            .expect("listable")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.txt")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;

        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("compose.yaml");
        std::fs::write(&path, "old").expect("written");
        let private = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(&path, private).expect("set");

        write_whole(&path, "new").expect("written whole");

        let mode = std::fs::metadata(&path)
            .expect("readable")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_old_report_alone() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("report.json");
        std::fs::write(&path, "old").expect("written");

        let outcome = write_whole_with(&path, |file| {
            file.write_all(b"{\"half\": ")?;
            Err(std::io::Error::other("the reporter stopped"))
        });

        assert!(outcome.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("readable"), "old");
        let entries = std::fs::read_dir(folder.path()).expect("listable").count();
        assert_eq!(entries, 1);
    }

    #[test]
    fn missing_folder_is_an_error_and_writes_nothing() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("absent/report.txt");

        assert!(write_whole(&path, "report").is_err());
        assert!(!path.exists());
    }
}
