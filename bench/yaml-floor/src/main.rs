//! Reads every `*.yaml` file under a directory and runs the YAML parser flagops uses over
//! it, event by event, on every core: the least any YAML-reading check of those files can
//! cost with this parser. Prints the file, byte and event counts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_saphyr::granit_parser::Parser;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "flags".to_owned());
    let mut files = Vec::new();
    yaml_files(Path::new(&dir), &mut files);
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (bytes, events) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let (mut bytes, mut events) = (0, 0);
                    while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let text = std::fs::read_to_string(path).unwrap_or_default();
                        bytes += text.len();
                        for event in Parser::new_from_str(&text) {
                            if event.is_err() {
                                eprintln!("{}: not valid YAML", path.display());
                                std::process::exit(1);
                            }
                            events += 1;
                        }
                    }
                    (bytes, events)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .fold((0, 0), |(b, e), (b2, e2)| (b + b2, e + e2))
    });
    println!(
        "{} files, {bytes} bytes, {events} YAML events, {workers} threads",
        files.len()
    );
}
