//! load: find the repository, read `flagops.yaml` and the flag files safely, parse them into
//! JSON values with source spans. Everything that goes wrong here is a finding on the file.

mod fast_path;
pub mod yaml;

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::finding::{Finding, Location, catalog};
use yaml::{Document, Span, YamlProblemKind};

/// The configuration file at the repository root.
pub const CONFIG_FILE: &str = "flagops.yaml";

/// Larger files are refused unread: AppConfig's hosted limit is far below this.
pub const MAX_FILE_BYTES: u64 = 2 << 20;

/// How deep `flags/` may nest; deeper trees are a mistake or a loop.
const MAX_DIR_DEPTH: usize = 32;

/// Fix hints shared by several findings of loading.
const NO_CONFIG_HELP: &str = "run `flagops init` to start a repository here, or pass `-C` with the directory that holds flagops.yaml";
const OUTSIDE_HELP: &str = "keep flag files inside the repository: move them in, or point `flags_dir` at a directory inside it";
const UNREADABLE_HELP: &str =
    "make it readable by the user running flagops (check its permissions), or remove it";
const EMPTY_HELP: &str = "write the file's content (`application:`, `profile:` and `flags:` for a flag file), or delete it";

/// One file of the repository as read: its text and, when it parsed, its document.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    text: SourceText,
    /// Boxed, as is `spanned`: a repository of many small files holds one `SourceFile` each,
    /// most of them with neither.
    pub doc: Option<Box<Document>>,
    /// The document with its spans, parsed again from the text the first time a finding
    /// needs them when `doc` came from the fast path: most files never need them.
    spanned: OnceLock<Option<Box<Document>>>,
    /// Not parsed in this run (its findings came from the cache): parsed from the text
    /// the first time a finding needs its spans.
    parse_on_demand: bool,
}

#[derive(Debug)]
enum SourceText {
    Kept(String),
    /// Released after a clean parse, so that a repository's text never sits in memory at
    /// once. Read again, through the same checks, when a finding needs it, and used only
    /// if it is still what was checked.
    OnDisk(Box<OnDisk>),
}

/// Where a released text is, and what it was.
#[derive(Debug)]
struct OnDisk {
    root: PathBuf,
    abs: PathBuf,
    digest: crate::cache::Digest32,
    reread: OnceLock<Option<String>>,
}

fn digest(text: &str) -> crate::cache::Digest32 {
    crate::cache::Digest32::of(text.as_bytes())
}

impl SourceFile {
    pub fn new(path: String, text: String, doc: Option<Document>) -> Self {
        SourceFile {
            path,
            text: SourceText::Kept(text),
            doc: doc.map(Box::new),
            spanned: OnceLock::new(),
            parse_on_demand: false,
        }
    }

    /// A file whose findings are known without parsing it (from the cache): its text, whose
    /// digest (without a BOM) is `digest`, is read from `abs` and parsed only when a finding
    /// needs it, and used only if it is still what was checked.
    pub fn not_parsed(
        path: String,
        root: &Path,
        abs: &Path,
        digest: crate::cache::Digest32,
    ) -> Self {
        SourceFile {
            path,
            text: SourceText::OnDisk(Box::new(OnDisk {
                root: root.to_path_buf(),
                abs: abs.to_path_buf(),
                digest,
                reread: OnceLock::new(),
            })),
            doc: None,
            spanned: OnceLock::new(),
            parse_on_demand: true,
        }
    }

    /// The text as checked (without a BOM); `None` when it was released and the file has
    /// changed or gone since.
    pub fn text(&self) -> Option<&str> {
        match &self.text {
            SourceText::Kept(text) => Some(text),
            SourceText::OnDisk(on_disk) => {
                let OnDisk {
                    root,
                    abs,
                    digest: checked,
                    reread,
                } = on_disk.as_ref();
                reread
                    .get_or_init(|| {
                        let mut bytes = read_checked(root, abs, &self.path).ok()??;
                        if bytes.starts_with(b"\xEF\xBB\xBF") {
                            bytes.drain(..3);
                        }
                        String::from_utf8(bytes)
                            .ok()
                            .filter(|text| digest(text) == *checked)
                    })
                    .as_deref()
            }
        }
    }

    /// Drops the text from memory; [`Self::text`] reads it again from `abs` when asked, if it
    /// still has this digest (`known`, or computed now).
    fn release_text(&mut self, root: &Path, abs: &Path, known: Option<crate::cache::Digest32>) {
        if let SourceText::Kept(text) = &self.text {
            self.text = SourceText::OnDisk(Box::new(OnDisk {
                root: root.to_path_buf(),
                abs: abs.to_path_buf(),
                digest: known.unwrap_or_else(|| digest(text)),
                reread: OnceLock::new(),
            }));
        }
    }

    fn parse_spanned(&self) -> Option<&Document> {
        self.spanned
            .get_or_init(|| yaml::parse(self.text()?).ok().map(|(doc, _)| Box::new(doc)))
            .as_deref()
    }

    /// The document with the span of every node.
    pub fn spanned(&self) -> Option<&Document> {
        match self.doc.as_deref() {
            Some(doc) if doc.has_spans() => Some(doc),
            Some(_) => self.parse_spanned(),
            None if self.parse_on_demand => self.parse_spanned(),
            None => None,
        }
    }
}

/// Every file read, by repository-relative path.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    by_path: HashMap<String, usize>,
}

/// A location resolved against the sources: what output formats render.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub file: &'a str,
    pub text: Option<&'a str>,
    pub span: Option<Span>,
}

impl Sources {
    pub fn get(&self, path: &str) -> Option<&SourceFile> {
        self.by_path.get(path).map(|&i| &self.files[i])
    }

    pub fn get_mut(&mut self, path: &str) -> Option<&mut SourceFile> {
        self.by_path.get(path).map(|&i| &mut self.files[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn add(&mut self, file: SourceFile) {
        // Most hold one file (a load of a single file, merged into the repository's later):
        // room for exactly one, not the four a first push makes room for.
        if self.files.capacity() == 0 {
            self.files.reserve_exact(1);
        }
        self.by_path.insert(file.path.clone(), self.files.len());
        self.files.push(file);
    }

    /// Room for `additional` more files.
    pub fn reserve(&mut self, additional: usize) {
        self.files.reserve(additional);
        self.by_path.reserve(additional);
    }

    /// Turns a symbolic location into a file, its text and a span.
    pub fn resolve<'a>(&'a self, location: &'a Location) -> Resolved<'a> {
        let file = location.file();
        let source = self.get(file);
        let text = source.and_then(SourceFile::text);
        let span = match location {
            Location::Node { pointer, part, .. } => {
                source.and_then(SourceFile::spanned).map(|doc| {
                    let spans = doc.spans_at(pointer);
                    match part {
                        crate::finding::Part::Key if doc.has_node(pointer) => {
                            spans.key.unwrap_or(spans.value)
                        }
                        _ => spans.value,
                    }
                })
            }
            Location::Text { span, .. } => Some(*span),
            Location::File { .. } => None,
        };
        Resolved { file, text, span }
    }
}

/// A repository as loaded: its root, its sources and the findings loading produced.
#[derive(Debug)]
pub struct Loaded {
    pub root: PathBuf,
    pub sources: Sources,
    /// Path of `flagops.yaml` when it parsed.
    pub config: Option<String>,
    pub findings: Vec<Finding>,
}

impl Loaded {
    /// Adds what another load of the same root read: its sources and findings.
    pub fn merge(&mut self, part: Loaded) {
        self.findings.extend(part.findings);
        for file in part.sources.files {
            self.sources.add(file);
        }
    }

    pub fn empty(root: &Path) -> Self {
        Loaded {
            root: root.to_path_buf(),
            sources: Sources::default(),
            config: None,
            findings: Vec::new(),
        }
    }
}

/// Finds the repository root: the nearest directory at or above `start` with a flagops.yaml.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    // Not `exists()`, which follows symlinks: a flagops.yaml that is a dangling symlink still
    // marks the repository, and is reported as a finding instead of being skipped.
    start
        .ancestors()
        .find(|dir| fs::symlink_metadata(dir.join(CONFIG_FILE)).is_ok())
        .map(Path::to_path_buf)
}

/// Reads and parses flagops.yaml and every `*.yaml`/`*.yml` file under `flags_dir`.
///
/// Each flag file's value is handed to `take` on the worker that parsed it, and its result
/// returned by path, in path order: the values of a whole repository never sit in memory
/// together. The documents in the sources keep their spans (or the text to find them).
pub fn load<R: Send>(
    root: &Path,
    flags_dir: impl Fn(&Document) -> String,
    take: impl Fn(&str, serde_json::Value) -> R + Sync,
) -> (Loaded, Vec<(String, R)>) {
    let Discovered {
        mut loaded,
        root_canon,
        paths,
    } = discover(root, flags_dir);
    // Files are read and parsed in parallel, then merged in path order.
    let parts: Vec<_> = paths
        .into_par_iter()
        .map(|(abs, rel)| {
            let mut part = Loaded::empty(root);
            let taken = read_yaml(&root_canon, &abs, &rel, &mut part).and_then(|()| {
                let doc = part.sources.get_mut(&rel)?.doc.as_deref_mut()?;
                Some(take(&rel, std::mem::take(&mut doc.value)))
            });
            (rel, part, taken)
        })
        .collect();
    let mut taken_files = Vec::new();
    for (rel, part, taken) in parts {
        loaded.merge(part);
        if let Some(taken) = taken {
            taken_files.push((rel, taken));
        }
    }
    (loaded, taken_files)
}

/// A repository before its flag files are read: flagops.yaml parsed, the flag files found.
pub struct Discovered {
    pub loaded: Loaded,
    /// The root with every symlink resolved: what files must stay inside.
    pub root_canon: PathBuf,
    /// Each flag file's absolute and repository-relative path, in path order.
    pub paths: Vec<(PathBuf, String)>,
}

/// Reads and parses flagops.yaml and finds the flag files of the directory it names.
pub fn discover(root: &Path, flags_dir: impl Fn(&Document) -> String) -> Discovered {
    let mut loaded = Loaded::empty(root);
    let root_canon = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());

    let mut dir = "flags".to_owned();
    match read_yaml(
        &root_canon,
        &root.join(CONFIG_FILE),
        CONFIG_FILE,
        &mut loaded,
    ) {
        Some(()) => {
            loaded.config = Some(CONFIG_FILE.to_owned());
            if let Some(doc) = loaded
                .sources
                .get(CONFIG_FILE)
                .and_then(|s| s.doc.as_deref())
            {
                dir = flags_dir(doc);
            }
        }
        None if fs::symlink_metadata(root.join(CONFIG_FILE)).is_err() => loaded.findings.push(
            Finding::new(
                &catalog::NO_CONFIG,
                Location::File {
                    file: CONFIG_FILE.to_owned(),
                },
                format!("no {CONFIG_FILE} in {}", root.display()),
            )
            .help(NO_CONFIG_HELP),
        ),
        None => {}
    }

    let mut paths = Vec::new();
    match flags_dir_outside(&root_canon, &dir, &loaded) {
        Some(finding) => loaded.findings.push(finding),
        None => walk(
            &root_canon,
            &root.join(&dir),
            &dir,
            0,
            &mut paths,
            &mut loaded.findings,
        ),
    }
    paths.sort();
    Discovered {
        loaded,
        root_canon,
        paths,
    }
}

fn flags_dir_outside(root: &Path, dir: &str, loaded: &Loaded) -> Option<Finding> {
    let configured = loaded
        .sources
        .get(CONFIG_FILE)
        .and_then(|s| s.doc.as_deref())
        .is_some_and(|doc| doc.value.get("flags_dir").is_some());
    let location = if configured {
        Location::node(CONFIG_FILE, "/flags_dir")
    } else {
        Location::File {
            file: dir.to_owned(),
        }
    };
    let message = if Path::new(dir).is_absolute() {
        format!(
            "flags_dir `{dir}` is an absolute path; it must be relative to the repository root, and was not read"
        )
    } else {
        let target = fs::canonicalize(root.join(dir)).ok()?;
        if target.starts_with(root) {
            return None;
        }
        let what = if configured {
            format!("flags_dir `{dir}`")
        } else {
            dir.to_owned()
        };
        format!(
            "{what} leads to {}, outside the repository; it was not followed",
            target.display()
        )
    };
    Some(Finding::new(&catalog::SYMLINK_OUTSIDE, location, message).help(OUTSIDE_HELP))
}

/// Collects YAML files under `dir`, reporting special files, directory symlinks (never
/// followed: they can leave the repository or loop) and directories too deep to read.
fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    depth: usize,
    out: &mut Vec<(PathBuf, String)>,
    findings: &mut Vec<Finding>,
) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // No flags directory: a repository without flag files.
        Err(e) if depth == 0 && e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            findings.push(
                Finding::new(
                    &catalog::UNREADABLE,
                    Location::File {
                        file: rel.to_owned(),
                    },
                    format!("cannot read the directory {rel}: {e}"),
                )
                .help(UNREADABLE_HELP),
            );
            return;
        }
    };
    // Nothing is skipped without a word: an entry that cannot be examined could hold flags,
    // and a check that passes without them would deploy a repository with flags missing.
    let mut listed = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => listed.push(entry),
            Err(e) => findings.push(unreachable(
                rel,
                &format!("an entry of {rel} cannot be read: {e}"),
            )),
        }
    }
    listed.sort_by_key(|e| e.file_name());
    for entry in listed {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel_path = format!("{rel}/{name}");
        let path = entry.path();
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) => {
                findings.push(unreachable(
                    &rel_path,
                    &cannot_examine(&rel_path, &path, &e),
                ));
                continue;
            }
        };
        let ft = meta.file_type();
        if entry.file_name().to_str().is_none() && (is_yaml || ft.is_dir()) {
            findings.push(unreachable(
                &rel_path,
                &format!("{rel_path} has a name that is not UTF-8; rename it so that git, CI and flagops agree on it; it was not read"),
            ));
            continue;
        }
        if ft.is_dir() {
            if is_yaml {
                findings.push(special(&rel_path, "a directory"));
            } else if depth < MAX_DIR_DEPTH {
                walk(root, &path, &rel_path, depth + 1, out, findings);
            } else {
                // Silently skipping it would drop its flags from every check and deployment.
                findings.push(
                    Finding::new(
                        &catalog::UNREADABLE,
                        Location::File { file: rel_path.clone() },
                        format!(
                            "{rel_path} is nested more than {MAX_DIR_DEPTH} directories deep; it was not read"
                        ),
                    )
                    .help("move its flag files into a directory fewer levels down"),
                );
            }
        } else if is_yaml {
            out.push((path, rel_path));
        } else if ft.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            findings.push(match fs::canonicalize(&path) {
                Ok(target) if !target.starts_with(root) => Finding::new(
                    &catalog::SYMLINK_OUTSIDE,
                    Location::File { file: rel_path.clone() },
                    format!(
                        "{rel_path} is a symlink to {}, outside the repository; it was not followed",
                        target.display()
                    ),
                )
                .help(OUTSIDE_HELP),
                _ => special(&rel_path, "a symlink to a directory (never followed)"),
            });
        }
    }
}

fn unreachable(rel: &str, message: &str) -> Finding {
    Finding::new(
        &catalog::UNREACHABLE_ENTRY,
        Location::File {
            file: rel.to_owned(),
        },
        message,
    )
    .help("rename or move it so that it can be read (a UTF-8 name, a shorter path), or remove it")
}

/// Why `path` cannot be examined, in one sentence, with what to do about a path too long.
fn cannot_examine(rel: &str, path: &Path, error: &std::io::Error) -> String {
    let length = path.as_os_str().len();
    // ENAMETOOLONG: a name or the whole path past the system's limit (PATH_MAX).
    if error.kind() == std::io::ErrorKind::InvalidFilename {
        format!(
            "this entry cannot be examined: its path is {length} bytes, longer than the system allows ({error}); shorten the directory names above it. It was not read"
        )
    } else {
        format!("{rel} cannot be examined: {error}. It was not read")
    }
}

fn special(rel: &str, what: &str) -> Finding {
    Finding::new(
        &catalog::SPECIAL_FILE,
        Location::File {
            file: rel.to_owned(),
        },
        format!("{rel} is {what}, not a regular file; it was not read"),
    )
    .help("replace it with a regular `.yaml` file, or move it out of the flags directory")
}

/// A file of the repository named by a setting (a freeform profile's `schema:`), read with
/// the same checks as flag files: inside the repository, a regular file, within the size
/// limit. `Err` says why not, in one sentence.
pub fn read_repo_file(root: &Path, rel: &str) -> Result<Vec<u8>, String> {
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if Path::new(rel).is_absolute() {
        return Err(format!(
            "{rel} is an absolute path; name a file inside the repository, relative to its root"
        ));
    }
    match read_checked(&root, &root.join(rel), rel) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(format!("{rel} does not exist")),
        Err(finding) => Err(finding.message),
    }
}

/// The bytes of `abs`, read with every safety check: inside the repository, a regular file,
/// within the size limit. `Ok(None)` when it has gone; `Err` with the finding otherwise.
fn read_checked(root: &Path, abs: &Path, rel: &str) -> Result<Option<Vec<u8>>, Box<Finding>> {
    let file_loc = || Location::File {
        file: rel.to_owned(),
    };
    let unreadable = |message: String| {
        Box::new(Finding::new(&catalog::UNREADABLE, file_loc(), message).help(UNREADABLE_HELP))
    };
    let meta = match fs::symlink_metadata(abs) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(unreadable(format!("cannot read {rel}: {e}")));
        }
    };
    let is_symlink = meta.file_type().is_symlink();
    // Every path is resolved, not only symlinks: a symlinked parent directory must not lead
    // out of the repository either.
    let target = match fs::canonicalize(abs) {
        Ok(target) => target,
        Err(e) => {
            let message = match e.kind() {
                std::io::ErrorKind::NotFound if is_symlink => {
                    format!("{rel} is a symlink that leads nowhere")
                }
                _ if is_symlink => format!("{rel} is a symlink that cannot be followed: {e}"),
                _ => format!("cannot read {rel}: {e}"),
            };
            return Err(unreadable(message));
        }
    };
    if !target.starts_with(root) {
        let how = if is_symlink {
            "is a symlink to"
        } else {
            "resolves to"
        };
        return Err(Box::new(
            Finding::new(
                &catalog::SYMLINK_OUTSIDE,
                file_loc(),
                format!(
                    "{rel} {how} {}, outside the repository; it was not followed",
                    target.display()
                ),
            )
            .help(OUTSIDE_HELP),
        ));
    }
    let meta = if is_symlink {
        match fs::metadata(&target) {
            Ok(meta) => meta,
            Err(e) => {
                return Err(unreadable(format!("cannot read {rel}: {e}")));
            }
        }
    } else {
        meta
    };
    let ft = meta.file_type();
    if !ft.is_file() {
        let what = if ft.is_dir() {
            "a directory"
        } else {
            special_kind(&ft)
        };
        return Err(Box::new(special(rel, what)));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Box::new(
            Finding::new(
                &catalog::FILE_TOO_LARGE,
                file_loc(),
                format!(
                    "{rel} is {} bytes; flagops reads files of at most {MAX_FILE_BYTES} bytes",
                    meta.len()
                ),
            )
            .help("split its flags over several files of the flags directory"),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let read = fs::File::open(abs).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return Err(unreadable(format!("cannot read {rel}: {e}")));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Box::new(
            Finding::new(
                &catalog::FILE_TOO_LARGE,
                file_loc(),
                format!("{rel} grew past {MAX_FILE_BYTES} bytes while being read"),
            )
            .help("split its flags over several files of the flags directory"),
        ));
    }
    Ok(Some(bytes))
}

/// Reads one YAML file with every safety check, parses it and records it in the sources.
/// Returns `Some` when the file parsed into a document.
fn read_yaml(root: &Path, abs: &Path, rel: &str, loaded: &mut Loaded) -> Option<()> {
    match read_checked(root, abs, rel) {
        Ok(bytes) => parse_bytes(root, abs, rel, (bytes?, None), loaded),
        Err(finding) => {
            loaded.findings.push(*finding);
            None
        }
    }
}

/// The bytes of the file `rel` (at `abs`), read with every safety check (see
/// [`read_checked`]): `Ok(None)` when it has gone, `Err` with the finding that says why it
/// cannot be read.
pub fn read_file(root: &Path, abs: &Path, rel: &str) -> Result<Option<Vec<u8>>, Box<Finding>> {
    read_checked(root, abs, rel)
}

/// Parses the bytes [`read_file`] read and records the file in the sources, as a load does.
/// `digest`, when the caller has it, is that of the text (the bytes after a BOM). Returns
/// `Some` when the file parsed into a document.
pub fn parse_bytes(
    root: &Path,
    abs: &Path,
    rel: &str,
    (mut bytes, digest): (Vec<u8>, Option<crate::cache::Digest32>),
    loaded: &mut Loaded,
) -> Option<()> {
    let findings = &mut loaded.findings;
    // A BOM is legal at the start of a YAML stream. It is dropped first, so that spans and
    // columns, including those of invalid UTF-8, count from the character after it.
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
        3
    } else {
        0
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..good]).into_owned();
            let span = text_span(&prefix, good);
            findings.push(
                Finding::new(
                    &catalog::INVALID_UTF8,
                    Location::Text {
                        file: rel.to_owned(),
                        span,
                    },
                    format!(
                        "{rel} is not valid UTF-8 (first invalid byte at offset {})",
                        good + bom
                    ),
                )
                .help("save the file as UTF-8"),
            );
            loaded
                .sources
                .add(SourceFile::new(rel.to_owned(), prefix, None));
            return None;
        }
    };
    let parsed = parse_source(rel.to_owned(), text, loaded);
    // A file the fast path took has nothing to report: its text is read again only if a
    // later finding points into it.
    if let Some(file) = loaded.sources.get_mut(rel)
        && file.doc.as_ref().is_some_and(|doc| !doc.has_spans())
    {
        file.release_text(root, abs, digest);
    }
    parsed
}

/// The value of a YAML text, by the fast path when it can; `None` when it does not parse.
pub fn parse_value(text: &str) -> Option<serde_json::Value> {
    fast_path::parse_value(text).or_else(|| yaml::parse(text).ok().map(|(doc, _)| doc.value))
}

/// The application and profile a flag file's text names at its top, read from its first
/// events: see [`fast_path::scope_hint`].
pub fn scope_hint(text: &str) -> Option<(String, String)> {
    fast_path::scope_hint(text)
}

/// Parses `text` as the file `rel` and records it. Returns `Some` when it parsed.
pub fn parse_source(rel: String, text: String, loaded: &mut Loaded) -> Option<()> {
    let findings = &mut loaded.findings;
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        findings.push(
            Finding::new(
                &catalog::EMPTY_FILE,
                Location::File { file: rel.clone() },
                format!("{rel} is empty"),
            )
            .help(EMPTY_HELP),
        );
        loaded.sources.add(SourceFile::new(rel, text, None));
        return None;
    }
    // Most files take the fast path; the full parser decides on the rest and reports their
    // problems.
    let parsed = match fast_path::parse_value(&text) {
        Some(value) => Ok((Document::without_spans(value), Vec::new())),
        None => yaml::parse(&text),
    };
    match parsed {
        Ok((doc, problems)) => {
            // A YAML 1.1 boolean (FO012) and a refused `!!binary` leave a document that reads
            // as YAML 1.2 does (`yes` is the string "yes"): it is checked with the rest, so
            // their findings come together with the file's others. A key that is no string
            // has no faithful text (`1` and `"1"`, or two sequence keys, become one entry), so
            // its file stops here, as a syntax error does.
            let usable = !problems
                .iter()
                .any(|p| p.kind == YamlProblemKind::NonStringKey);
            for p in problems {
                let rule = match p.kind {
                    YamlProblemKind::Yaml11Boolean => &catalog::YAML11_BOOLEAN,
                    YamlProblemKind::NonStringKey => &catalog::NON_STRING_KEY,
                    _ => &catalog::YAML_SYNTAX,
                };
                let help = yaml_help(p.kind, &text, p.span);
                findings
                    .push(Finding::new(rule, text_location(&rel, p.span), p.message).help(help));
            }
            if !usable {
                loaded.sources.add(SourceFile::new(rel, text, None));
                return None;
            }
            let parsed = !doc.value.is_null();
            if !parsed {
                findings.push(
                    Finding::new(
                        &catalog::EMPTY_FILE,
                        Location::File { file: rel.clone() },
                        format!("{rel} holds only a null document"),
                    )
                    .help(EMPTY_HELP),
                );
            }
            loaded.sources.add(SourceFile::new(rel, text, Some(doc)));
            parsed.then_some(())
        }
        Err(p) => {
            let rule = match p.kind {
                YamlProblemKind::DuplicateKey => &catalog::DUPLICATE_KEY,
                YamlProblemKind::Limit => &catalog::YAML_LIMIT,
                _ => &catalog::YAML_SYNTAX,
            };
            let help = yaml_help(p.kind, &text, p.span);
            findings.push(Finding::new(rule, text_location(&rel, p.span), p.message).help(help));
            loaded.sources.add(SourceFile::new(rel, text, None));
            None
        }
    }
}

/// How to fix a YAML problem, from its kind and the text at its span.
fn yaml_help(kind: YamlProblemKind, text: &str, span: Option<Span>) -> String {
    let at = span
        .and_then(|s| text.get(s.start..s.end))
        .unwrap_or_default();
    match kind {
        YamlProblemKind::Yaml11Boolean => format!(
            "write `true` or `false` for a boolean, or `'{at}'` (quoted) for the text"
        ),
        YamlProblemKind::NonStringKey => {
            format!("quote the key, e.g. `\"{at}\":`, or use a name that is text")
        }
        YamlProblemKind::DuplicateKey => {
            "keep one of the two entries: delete this one, or rename it".to_owned()
        }
        YamlProblemKind::Limit => {
            "split the file, and write the values out instead of nesting them deeply or through many aliases".to_owned()
        }
        YamlProblemKind::Syntax => {
            let line_start = span.map_or(0, |s| {
                text[..s.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
            });
            let line = text[line_start..].lines().next().unwrap_or_default();
            if line.contains('\t') {
                "indent with spaces: YAML does not allow tabs in indentation".to_owned()
            } else if at.contains("binary") || line.contains("!!binary") {
                "write the text itself, without the `!!binary` tag".to_owned()
            } else {
                "check the YAML here: indentation (spaces, the same for siblings), `key: value` with a space after the colon, and closed quotes and brackets".to_owned()
            }
        }
    }
}

fn text_location(rel: &str, span: Option<Span>) -> Location {
    match span {
        Some(span) => Location::Text {
            file: rel.to_owned(),
            span,
        },
        None => Location::File {
            file: rel.to_owned(),
        },
    }
}

/// The span of byte offset `at` in `text` (which ends there), as a one-byte span.
fn text_span(text: &str, at: usize) -> Span {
    let line = text.matches('\n').count() + 1;
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..].chars().count() + 1;
    Span {
        start: at,
        end: at,
        line,
        column,
    }
}

#[cfg(unix)]
fn special_kind(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository(flag_text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join(CONFIG_FILE), "applications: {}\n").expect("write");
        fs::create_dir(dir.path().join("flags")).expect("mkdir");
        fs::write(dir.path().join("flags/a.yaml"), flag_text).expect("write");
        dir
    }

    const FLAGS: &str = "\u{feff}application: shop\nprofile: flags\nflags: {}\n";

    #[test]
    fn a_released_text_is_read_again_with_its_spans() {
        let dir = repository(FLAGS);
        let (loaded, values) = load(dir.path(), |_| "flags".to_owned(), |_, v| v);
        assert_eq!(values.len(), 1);
        let file = loaded.sources.get("flags/a.yaml").expect("source");
        assert!(matches!(file.text, SourceText::OnDisk { .. }));
        assert_eq!(file.text(), Some(&FLAGS[3..]));
        let spans = file.spanned().expect("spans").spans_at("/profile");
        assert_eq!((spans.value.line, spans.value.column), (2, 10));
    }

    #[test]
    fn a_released_text_that_changed_since_the_check_is_not_shown() {
        let dir = repository(FLAGS);
        let (loaded, _) = load(dir.path(), |_| "flags".to_owned(), |_, v| v);
        fs::write(
            dir.path().join("flags/a.yaml"),
            FLAGS.replace("shop", "shed"),
        )
        .expect("write");
        let file = loaded.sources.get("flags/a.yaml").expect("source");
        assert_eq!(file.text(), None);
        assert!(file.spanned().is_none());
    }

    /// The scope a check groups a file by is the scope of the parsed file whenever it gives
    /// one, read from its first events or else its unindented lines; where the file does not
    /// say so plainly, it gives none.
    #[test]
    fn a_scope_hint_names_what_the_parsed_file_names() {
        let named = |text: &str| {
            let value = parse_value(text)?;
            let field = |k: &str| value.get(k)?.as_str().map(str::to_owned);
            field("application").zip(field("profile"))
        };
        let scope = |a: &str, p: &str| Some((a.to_owned(), p.to_owned()));
        // More flags than the first events a hint reads.
        let many_flags: String = (0..300)
            .map(|i| format!("  f{i}:\n    class: ops\n"))
            .collect();
        let cases = [
            (
                "# a comment\napplication: shop\nprofile: flags\nflags: {}\n",
                scope("shop", "flags"),
            ),
            (
                "---\nprofile: 'flags'\n\"application\": shop\n",
                scope("shop", "flags"),
            ),
            (
                "flags:\n  a: {x: [1, {y: 2}]}\napplication: shop\nprofile: flags\n",
                scope("shop", "flags"),
            ),
            (
                "{application: shop, profile: flags}\n",
                scope("shop", "flags"),
            ),
            // Not plainly: left to the full parse.
            ("application: &a shop\nprofile: flags\n", None),
            ("base: &b shop\napplication: *b\nprofile: flags\n", None),
            ("application: !!str shop\nprofile: flags\n", None),
            ("<<: {application: shop}\nprofile: flags\n", None),
            ("application: 12\nprofile: flags\n", None),
            ("application: yes\nprofile: flags\n", None),
            ("application: [shop]\nprofile: flags\n", None),
            ("application: shop\n", None),
            ("- application: shop\n  profile: flags\n", None),
            (
                "%YAML 1.2\n---\napplication: shop\nprofile: flags\n",
                scope("shop", "flags"),
            ),
            // Keys sorted, as YAML dumpers write them: `profile` comes after every flag.
            (
                &format!(
                    "---\napplication: shop\nflags:\n{}profile: flags # the web shop\n",
                    many_flags
                ),
                scope("shop", "flags"),
            ),
            (
                &format!(
                    "application: shop\nflags:\n{}profile: 'flags'\n",
                    many_flags
                ),
                None,
            ),
            (
                &format!(
                    "application: shop\nflags:\n{}profile: flags\nprofile: other\n",
                    many_flags
                ),
                None,
            ),
            (
                "application: shop\nprofile: flags\n---\napplication: other\n",
                scope("shop", "flags"),
            ),
            (
                "application: shop\nprofile: flags\napplication: other\n",
                scope("shop", "flags"),
            ),
            (
                "application: shop\nprofile: flags\nflags: [\n",
                scope("shop", "flags"),
            ),
        ];
        for (text, expected) in cases {
            let hint = scope_hint(text);
            assert_eq!(hint, expected, "{text:?}");
            // Either the file parses and names the same, or it does not parse at all.
            if hint.is_some() {
                let parsed = named(text);
                assert!(parsed.is_none() || parsed == hint, "{text:?}: {parsed:?}");
                assert_eq!(parsed.is_none(), parse_value(text).is_none(), "{text:?}");
            }
        }
    }
}
