//! Loads every Compose file of the shared corpus: none may panic; files that yield `parse-error`
//! are printed with their messages so a reader can judge them (the test does not fail on them).

use std::path::{Path, PathBuf};

use escalint::model::compose::{LoadOptions, load};
use escalint::source::{Source, Sources};

const CORPUS_FOLDERS: [&str; 2] = [
    "../shared/corpus/compose",
    "../shared/corpus/parser-conformance/compose-go",
];

#[test]
fn every_corpus_compose_file_loads_without_panicking() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !manifest.join("../shared").is_dir() {
        println!("skipped: {} has no ../shared corpus", manifest.display());
        return;
    }

    let mut files = Vec::new();
    for folder in CORPUS_FOLDERS {
        collect_yaml_files(&manifest.join(folder), &mut files);
    }
    files.sort();

    let mut failed = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            println!("unreadable (not UTF-8?): {}", path.display());
            continue;
        };
        let mut sources = Sources::default();
        let display = path
            .strip_prefix(manifest)
            .unwrap_or(path)
            .display()
            .to_string();
        let id = sources.add(Source::new(display.clone(), path.clone(), text));
        let loaded = load(&mut sources, id, &LoadOptions::default());
        let messages: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.rule == "parse-error")
            .map(|diagnostic| {
                let source = sources.get(diagnostic.span.source);
                let (line, column) = source.line_column(diagnostic.span.start);
                format!("{}:{line}:{column}: {}", source.display, diagnostic.message)
            })
            .collect();
        if !messages.is_empty() {
            failed.push((display, messages));
        }
    }

    println!(
        "{} of {} files yield parse-error:",
        failed.len(),
        files.len()
    );
    for (file, messages) in &failed {
        println!("{file}");
        for message in messages {
            println!("    {message}");
        }
    }
}

fn collect_yaml_files(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml_files(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "yml" || extension == "yaml")
        {
            files.push(path);
        }
    }
}
