//! `check` with a cache: the same findings as [`super::repository`], computed again only
//! for what changed.
//!
//! A repository's findings split along its profiles. Loading and typing a flag file depends
//! on that file alone; the rules on the typed model ([`rules::PER_PROFILE_FILES`]) and on
//! compiled documents ([`rules::PER_PROFILE`]) see one profile's files and flagops.yaml. So
//! the cache keeps, by the digest of everything that decides them:
//!
//! - per flag file (its path and the digest of its bytes, in one index per repository): the
//!   findings of loading and typing it, and the profile it names;
//! - per profile (flagops.yaml, the date, the path and digest of each of its files, its
//!   freeform schema): the findings of its rules, its number of targets, and the outline of
//!   its flags.
//!
//! A run reads and digests every file, and parses only the files of profiles with no sound
//! entry. What reads beyond the flag files (git history, application code:
//! [`rules::REPOSITORY`]) runs every time, on the outlines.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Context, Documents, Report, TypedFile, rules, type_flag_file};
use crate::cache::{Digest32, Key, Store};
use crate::finding::{Finding, Location, Severity, catalog};
use crate::load::{self, CONFIG_FILE, Loaded, SourceFile};
use crate::model::flags::FlagClass;
use crate::model::{Flag, FlagFile, Model};

/// The kinds of entries, each a directory of the cache.
const FILES: &str = "files";
const PROFILES: &str = "profiles";
const REPOSITORY: &str = "repository";
const TYPED: &str = "typed";
const CONFIG: &str = "config";

/// A finding as the cache keeps it: its rule by code.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    rule: String,
    severity: Severity,
    message: String,
    location: Location,
    label: Option<String>,
    help: Option<String>,
}

impl Stored {
    fn of(finding: &Finding) -> Self {
        Stored {
            rule: finding.rule.code.to_owned(),
            severity: finding.severity,
            message: finding.message.clone(),
            location: finding.location.clone(),
            label: finding.label.clone(),
            help: finding.help.clone(),
        }
    }

    /// `None` for a code this build does not know: the entry is not sound.
    fn finding(self) -> Option<Finding> {
        let rule = catalog::ALL.iter().copied().find(|r| r.code == self.rule)?;
        Some(Finding {
            rule,
            severity: self.severity,
            message: self.message,
            location: self.location,
            label: self.label,
            help: self.help,
        })
    }
}

fn stored(findings: &[Finding]) -> Vec<Stored> {
    findings.iter().map(Stored::of).collect()
}

fn restored(findings: Vec<Stored>) -> Option<Vec<Finding>> {
    findings.into_iter().map(Stored::finding).collect()
}

/// What loading and typing each flag file of a repository found, by path: one entry, read
/// once a run, rather than one per file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct FileIndex {
    files: HashMap<String, FileEntry>,
}

/// What loading and typing one flag file found, and the digest of the text it holds for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileEntry {
    digest: String,
    bom: bool,
    /// The file's identity and times when it was read for this digest, and when that was:
    /// while they are unchanged, so are its bytes, and it need not be read again.
    stat: Option<Stat>,
    scope: Option<(String, String)>,
    findings: Vec<Stored>,
}

/// What the rules found in one profile.
#[derive(Debug, Serialize, Deserialize)]
struct ProfileEntry {
    findings: Vec<Stored>,
    targets: usize,
    outline: Vec<(String, Outline)>,
    /// Of the outline: the repository-wide findings are kept by the digests of every
    /// profile's outline.
    outline_digest: String,
    /// The days the findings hold for: from the day they were found until the first day a
    /// date-driven rule (expiry) could find otherwise, if any.
    found_on: String,
    holds_until: Option<String>,
}

impl ProfileEntry {
    fn holds_on(&self, today: Date) -> bool {
        let date = |text: &str| text.parse::<Date>().ok();
        let from = date(&self.found_on).is_some_and(|from| from <= today);
        let until = match &self.holds_until {
            None => true,
            Some(until) => date(until).is_some_and(|until| today < until),
        };
        from && until
    }
}

/// What the repository-wide rules found, for one commit and one outline of every flag.
#[derive(Debug, Serialize, Deserialize)]
struct RepositoryEntry {
    findings: Vec<Stored>,
}

/// The flags of one file as the repository-wide rules see them: their keys, a letter per
/// class, and the few that say why they `reintroduce` a key. Compact: a warm run reads the
/// outline of every flag of the repository.
#[derive(Debug, Serialize, Deserialize)]
struct Outline {
    keys: Vec<String>,
    classes: String,
    reintroduces: Vec<(usize, String)>,
}

const CLASS_LETTERS: [(FlagClass, char); 5] = [
    (FlagClass::Release, 'r'),
    (FlagClass::Experiment, 'e'),
    (FlagClass::Ops, 'o'),
    (FlagClass::KillSwitch, 'k'),
    (FlagClass::Permission, 'p'),
];

impl Outline {
    fn of(file: &FlagFile) -> Self {
        let mut outline = Outline {
            keys: Vec::new(),
            classes: String::new(),
            reintroduces: Vec::new(),
        };
        for (i, (key, flag)) in file.flags.iter().flatten().enumerate() {
            outline.keys.push(key.clone());
            let letter = CLASS_LETTERS.iter().find(|(c, _)| *c == flag.class);
            outline.classes.push(letter.map_or('?', |(_, l)| *l));
            if let Some(why) = &flag.reintroduces {
                outline.reintroduces.push((i, why.clone()));
            }
        }
        outline
    }

    fn is_sound(&self) -> bool {
        self.classes.chars().count() == self.keys.len()
            && self
                .classes
                .chars()
                .all(|l| CLASS_LETTERS.iter().any(|(_, c)| *c == l))
    }

    /// A flag file of `scope` holding the outline's flags (the outline is sound).
    fn file(self, (application, profile): &(String, String)) -> FlagFile {
        let mut reintroduces: HashMap<usize, String> = self.reintroduces.into_iter().collect();
        let classes = self.classes.chars().map(|l| {
            CLASS_LETTERS
                .iter()
                .find(|(_, c)| *c == l)
                .map_or(FlagClass::Release, |(class, _)| *class)
        });
        let flags = (self.keys.into_iter().zip(classes).enumerate())
            .map(|(i, (key, class))| (key, Flag::outline(class, reintroduces.remove(&i))))
            .collect();
        FlagFile {
            application: application.clone(),
            profile: profile.clone(),
            flags: Some(flags),
            content: None,
        }
    }
}

/// A flag file typed in this run, until the profile it belongs to takes it.
type Taken = Mutex<Option<FlagFile>>;

/// One flag file of this run.
struct Read {
    rel: String,
    abs: PathBuf,
    /// SHA-256 of the text without a BOM, and whether there was one.
    digest: Digest32,
    bom: bool,
    /// What the cache keeps of it (none for a file that is not valid UTF-8), and whether
    /// this run found it there.
    entry: Option<Box<FileEntry>>,
    known: bool,
    /// The entry changed (new, or the same bytes with a new stat): the index is written again.
    fresh: bool,
    /// The application and profile it names (for a deferred file, until it is parsed: what
    /// its first lines name).
    scope: Option<(String, String)>,
    stat: Option<Stat>,
    state: State,
}

enum State {
    /// Loading and typing it is in the cache.
    Known(Vec<Finding>),
    /// Parsed and typed in this run.
    Parsed {
        part: Box<Loaded>,
        typed: Option<Box<TypedFile>>,
    },
    /// New, grouped by the profile its first lines name, and parsed with that profile: a run
    /// holds the typed files of the profiles it is checking, not of the whole repository.
    Deferred(Mutex<Pending>),
}

/// A deferred file's bytes until its profile's turn.
enum Pending {
    /// A small file's, held: reading it again would cost more than holding it.
    Held(Vec<u8>),
    /// A larger file's, read again then, so that the repository's text never sits in
    /// memory at once.
    OnDisk,
    Taken,
}

/// Files smaller than this are held until their profile is parsed, larger ones read again.
const HOLD_BELOW: usize = 8 * 1024;

/// A deferred file, parsed: what the run takes from it once its profile is checked.
///
/// Its parts are boxed, as are a [`Read`]'s: a run holds one of each per file, and a
/// repository may have tens of thousands of small files.
struct Settled {
    index: usize,
    part: Box<Loaded>,
    findings: Vec<Finding>,
    /// It parsed into a document; the profile that document names.
    parsed: bool,
    scope: Option<(String, String)>,
    entry: Box<FileEntry>,
    /// Read again, it was gone or no longer what the run first read (digested, grouped):
    /// nothing of it holds, and the run starts over.
    changed: bool,
}

impl Read {
    /// The key of its typed file: its path and the digest of its text.
    fn typed_key(&self) -> Digest32 {
        Key::new(TYPED)
            .part(self.rel.as_bytes())
            .digest(&self.digest)
            .part(&[u8::from(self.bom)])
            .finish()
    }

    /// What the cache keeps of this file, once loading and typing it found `findings`.
    fn entry(&self, scope: Option<(String, String)>, findings: Vec<Stored>) -> FileEntry {
        FileEntry {
            digest: self.digest.hex(),
            bom: self.bom,
            stat: self.stat,
            scope,
            findings,
        }
    }

    /// Reads a deferred file again and parses it, or `None` if it is not one or was taken.
    fn settle(
        &self,
        root: &Path,
        root_canon: &Path,
        index: usize,
    ) -> Option<(Settled, Option<FlagFile>)> {
        let State::Deferred(pending) = &self.state else {
            return None;
        };
        let pending = std::mem::replace(&mut *pending.lock().ok()?, Pending::Taken);
        let bytes = match pending {
            Pending::Taken => return None,
            Pending::Held(bytes) => Some(bytes),
            Pending::OnDisk => load::read_file(root_canon, &self.abs, &self.rel)
                .ok()
                .flatten()
                .filter(|b| {
                    let bom = b.starts_with(b"\xEF\xBB\xBF");
                    let text = if bom { &b[3..] } else { &b[..] };
                    bom == self.bom && Digest32::of(text) == self.digest
                }),
        };
        let Some(bytes) = bytes else {
            let changed = Settled {
                index,
                part: Box::new(Loaded::empty(root)),
                findings: Vec::new(),
                parsed: false,
                scope: None,
                entry: Box::new(self.entry(None, Vec::new())),
                changed: true,
            };
            return Some((changed, None));
        };
        let (part, typed) = parse(root, root_canon, &self.abs, &self.rel, (bytes, self.digest));
        let parsed = typed.is_some();
        let (file, findings, scope) = match typed {
            Some(t) => (t.file, t.findings, t.scope),
            None => (None, Vec::new(), None),
        };
        let mut all = stored(&part.findings);
        all.extend(stored(&findings));
        let entry = Box::new(self.entry(scope.clone(), all));
        let settled = Settled {
            index,
            part,
            findings,
            parsed,
            scope,
            entry,
            changed: false,
        };
        Some((settled, file))
    }
}

/// Loads and checks the repository at `root` as [`super::repository`] does with
/// [`Documents::CheckOnly`], keeping what it can in `store`. The report's model holds
/// flagops.yaml only: the flag files of unchanged profiles are never decoded.
pub fn repository(root: &Path, today: Date, store: &Store) -> (Loaded, Report) {
    let started = std::time::Instant::now();
    let lap = |what: std::fmt::Arguments<'_>| {
        tracing::debug!("check: {what} ({} ms)", started.elapsed().as_millis());
    };
    let load::Discovered {
        mut loaded,
        root_canon,
        paths,
    } = load::discover(root, super::flags_dir);
    super::scan_unparsed(&mut loaded, CONFIG_FILE);
    let config_digest = loaded
        .sources
        .get(CONFIG_FILE)
        .and_then(SourceFile::text)
        .map(|text| Digest32::of(text.as_bytes()));

    let index_key = Key::new(FILES)
        .part(root_canon.to_string_lossy().as_bytes())
        .finish();
    let index = store
        .get::<FileIndex>(FILES, &index_key)
        .unwrap_or_default();
    let reads: Vec<Result<Read, Option<Box<Finding>>>> = paths
        .into_par_iter()
        .map(|(abs, rel)| {
            let known = index.files.get(&rel);
            read(root, &root_canon, abs, rel, known)
        })
        .collect();

    lap(format_args!(
        "{} flag files, {} of them known to the cache, {} by their stat alone",
        reads.len(),
        reads.iter().flatten().filter(|r| r.known).count(),
        reads
            .iter()
            .flatten()
            .filter(|r| r.known && !r.fresh)
            .count()
    ));
    let mut findings = std::mem::take(&mut loaded.findings);
    let config = type_config(&mut loaded, &mut findings, store, config_digest);
    loaded.sources.reserve(reads.len());
    // Collected in place: the reads' buffer becomes the files', not a second one beside it.
    let mut files: Vec<Read> = reads
        .into_iter()
        .filter_map(|read| match read {
            Err(Some(finding)) => {
                findings.push(*finding);
                None
            }
            Err(None) => None,
            Ok(mut read) => {
                match &mut read.state {
                    State::Known(known) => {
                        findings.append(known);
                        loaded.sources.add(SourceFile::not_parsed(
                            read.rel.clone(),
                            &root_canon,
                            &read.abs,
                            read.digest,
                        ));
                    }
                    State::Parsed { part, typed } => {
                        findings.append(&mut part.findings);
                        loaded.merge(std::mem::replace(&mut **part, Loaded::empty(root)));
                        if let Some(typed) = typed {
                            findings.extend(std::mem::take(&mut typed.findings));
                        }
                    }
                    // Parsed with its profile, below.
                    State::Deferred(_) => {}
                }
                Some(read)
            }
        })
        .collect();

    // Every declared profile compiles, with files or without; a file may also name a
    // profile flagops.yaml does not declare (a finding of its own).
    let declared: BTreeSet<(String, String)> = config
        .iter()
        .flat_map(|c| {
            c.applications
                .iter()
                .flat_map(|(app, a)| a.profiles.keys().map(move |p| (app.clone(), p.clone())))
        })
        .collect();
    let mut profiles: BTreeMap<(String, String), Vec<usize>> =
        declared.iter().map(|p| (p.clone(), Vec::new())).collect();
    for (i, read) in files.iter().enumerate() {
        if let Some(scope) = &read.scope {
            profiles.entry(scope.clone()).or_default().push(i);
        }
    }
    let model = Model {
        config,
        files: Vec::new(),
    };
    let profile_keys: Vec<_> = profiles
        .iter()
        .map(|((app, profile), members)| {
            // Not the date: an entry says for which days it holds.
            let mut key = Key::new(PROFILES)
                .part(config_digest.map(|d| d.0).unwrap_or_default().as_slice())
                .part(app.as_bytes())
                .part(profile.as_bytes())
                .part(&schema_digest(root, &model, app, profile).0);
            for &i in members {
                let file = &files[i];
                key = key
                    .part(file.rel.as_bytes())
                    .digest(&file.digest)
                    .part(&[u8::from(file.bom)]);
            }
            key.finish()
        })
        .collect();

    let cached: Vec<Option<ProfileEntry>> = profile_keys
        .par_iter()
        .map(|key| store.get::<ProfileEntry>(PROFILES, key))
        .map(|entry| entry.filter(|e| e.holds_on(today)))
        .collect();
    let flags_dir = model.config.as_ref().map(|c| c.flags_dir.clone());
    // Flag ages only for `rules.lifetime`: most runs need only the deletions.
    let with_ages = model
        .config
        .as_ref()
        .is_some_and(|c| !c.rules.lifetime.is_empty());
    let cx_history = || {
        Some(crate::git::key_facts(
            root,
            flags_dir.as_ref()?,
            store,
            with_ages,
        ))
    };
    lap(format_args!(
        "{} profiles, {} of them known to the cache",
        cached.len(),
        cached.iter().flatten().count()
    ));
    // The typed files parsed in this run, each taken by the one profile it belongs to.
    let typed: Vec<Taken> = files
        .iter_mut()
        .map(|read| {
            let file = match &mut read.state {
                State::Parsed { typed, .. } => typed.as_mut().and_then(|t| t.file.take()),
                State::Known(_) | State::Deferred(_) => None,
            };
            Mutex::new(file)
        })
        .collect();
    // New files of profiles whose findings are known: parsed for their own findings alone.
    let mut settled: Vec<Settled> = profiles
        .values()
        .zip(&cached)
        .filter(|(_, entry)| entry.is_some())
        .flat_map(|(members, _)| members.iter().copied())
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|i| {
            let (settled, file) = files[i].settle(root, &root_canon, i)?;
            if let Ok(mut slot) = typed[i].lock() {
                *slot = file;
            }
            Some(settled)
        })
        .collect();
    // With every profile known, the history is read only if the repository-wide findings
    // are not known either.
    let all_known = cached.iter().all(Option::is_some);
    let (history, computed) = rayon::join(
        || (!all_known).then(cx_history).flatten(),
        || {
            profiles
                .iter()
                .zip(&cached)
                .zip(&profile_keys)
                .filter(|((_, entry), _)| entry.is_none())
                .map(|(((scope, members), _), key)| (scope, members, key))
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|(scope, members, key)| {
                    let (entry, sound, settled) = check_profile(
                        (root, &root_canon, store),
                        &model,
                        today,
                        scope,
                        declared.contains(scope),
                        (members, &files, &typed),
                    );
                    (scope, key, (entry, sound), settled)
                })
                .collect::<Vec<_>>()
        },
    );
    settled.reserve_exact(computed.iter().map(|(.., found)| found.len()).sum());
    let mut computed: Vec<_> = computed
        .into_iter()
        .map(|(scope, key, entry, mut found)| {
            settled.append(&mut found);
            (scope, key, entry)
        })
        .collect();
    // A deferred file that parses names the profile its lines named, all but always. Should
    // it not, its profiles were checked without it; should it have changed since it was
    // first read, they were checked without what it holds now: the run starts over, without
    // the cache.
    if settled
        .iter()
        .any(|s| s.changed || (s.parsed && s.scope != files[s.index].scope))
    {
        tracing::debug!("check: a flag file changed, or names another profile than its lines");
        return super::repository(root, today, Documents::CheckOnly);
    }
    settle_into(&mut settled, &mut files, &mut loaded, &mut findings);

    lap(format_args!("profiles checked, history read"));
    let mut targets = 0;
    let mut outlines: Vec<(String, (String, String), Outline)> = Vec::new();
    let mut outline_digests: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut take =
        |scope: &(String, String), entry: ProfileEntry, findings: &mut Vec<Finding>| -> bool {
            let Some(restored) = restored(entry.findings) else {
                return false;
            };
            if !entry.outline.iter().all(|(_, o)| o.is_sound()) {
                return false;
            }
            findings.extend(restored);
            targets += entry.targets;
            outline_digests.insert(scope.clone(), entry.outline_digest);
            for (path, outline) in entry.outline {
                outlines.push((path, scope.clone(), outline));
            }
            true
        };
    let mut redo = Vec::new();
    for ((entry, key), scope) in cached.into_iter().zip(&profile_keys).zip(profiles.keys()) {
        if let Some(entry) = entry
            && !take(scope, entry, &mut findings)
        {
            redo.push((scope.clone(), *key));
        }
    }
    for (scope, key, (entry, sound)) in computed.drain(..) {
        if sound {
            store.put(PROFILES, key, &entry);
        }
        let _ = take(scope, entry, &mut findings);
    }
    // An entry of a build that names a rule this one lacks: checked again, without the cache.
    for (scope, key) in redo {
        let members = &profiles[&scope];
        // Its new files were parsed above, with the other files of known profiles.
        let (entry, sound, _) = check_profile(
            (root, &root_canon, store),
            &model,
            today,
            &scope,
            declared.contains(&scope),
            (members, &files, &typed),
        );
        if sound {
            store.put(PROFILES, &key, &entry);
        }
        let _ = take(&scope, entry, &mut findings);
    }

    // flagops.yaml's own findings: the per-profile rules on a model without flag files.
    let cx = Context {
        model: &model,
        root: Some(root),
        today,
        history: std::sync::OnceLock::new(),
    };
    for rule in rules::enabled(rules::PER_PROFILE_FILES, model.config.as_ref()) {
        rule(&cx, &mut findings);
    }
    // What the repository-wide rules found is kept for a commit, flagops.yaml, the date and
    // the outline of every flag, unless they read application code (`refs`), which no key
    // here covers.
    let repository_key = model
        .config
        .as_ref()
        .filter(|c| c.refs.is_none())
        .and_then(|_| crate::git::head_id(root))
        .map(|head| {
            // The date only for flag ages (`rules.lifetime`); deletions do not age.
            let dated = if with_ages {
                today.to_string()
            } else {
                String::new()
            };
            let mut key = Key::new(REPOSITORY)
                .part(config_digest.map(|d| d.0).unwrap_or_default().as_slice())
                .part(dated.as_bytes())
                .part(head.as_bytes());
            for ((app, profile), digest) in &outline_digests {
                key = key
                    .part(app.as_bytes())
                    .part(profile.as_bytes())
                    .part(digest.as_bytes());
            }
            key.finish()
        });
    let known = repository_key
        .as_ref()
        .and_then(|key| store.get::<RepositoryEntry>(REPOSITORY, key))
        .and_then(|entry| restored(entry.findings));
    let history = match (&known, history) {
        (None, None) => cx_history(),
        (_, history) => history,
    };
    // The repository-wide rules read the flags only with history to compare them with, or
    // code to look for them in.
    let needed = known.is_none()
        && model.config.as_ref().is_some_and(|c| {
            c.refs.is_some() || !c.rules.lifetime.is_empty() || matches!(history, Some(Ok(_)))
        });
    let mut files_outlined: Vec<(String, FlagFile)> = match needed {
        true => (outlines.into_iter())
            .map(|(path, scope, outline)| (path, outline.file(&scope)))
            .collect(),
        false => Vec::new(),
    };
    files_outlined.sort_by(|a, b| a.0.cmp(&b.0));
    let Model { config, .. } = model;
    let whole = Model {
        config,
        files: files_outlined,
    };
    let cx = Context {
        model: &whole,
        root: Some(root),
        today,
        history: history.map(std::sync::OnceLock::from).unwrap_or_default(),
    };
    let known_from_cache = known.is_some();
    match known {
        Some(known) => findings.extend(known),
        None => {
            let mut found = Vec::new();
            for rule in rules::enabled(rules::REPOSITORY, whole.config.as_ref()) {
                rule(&cx, &mut found);
            }
            if let Some(key) = &repository_key {
                store.put(
                    REPOSITORY,
                    key,
                    &RepositoryEntry {
                        findings: stored(&found),
                    },
                );
                store.prune(REPOSITORY, &[*key].into_iter().collect(), 16);
            }
            findings.extend(found);
        }
    }
    // Rules are skipped only outside a repository, where nothing repository-wide is kept.
    let skipped = match known_from_cache {
        true => Vec::new(),
        false => super::skipped(&cx),
    };
    let Model { config, .. } = whole;

    // The index holds the files of this run: written again when one is new or gone.
    let unchanged = files.iter().all(|f| !f.fresh) && files.len() == index.files.len();
    if !unchanged && store.is_enabled() {
        // An entry read from the index was vetted when the index was written.
        let files = files
            .iter_mut()
            .filter_map(|f| Some((f.rel.clone(), f.fresh, *f.entry.take()?)))
            .filter(|(_, fresh, entry)| !fresh || !Store::holds_secret(entry))
            .map(|(rel, _, entry)| (rel, entry))
            .collect();
        store.put(FILES, &index_key, &FileIndex { files });
    }
    let used_profiles: HashSet<Digest32> = profile_keys.iter().copied().collect();
    store.prune(PROFILES, &used_profiles, 256);
    let typed_files: HashSet<Digest32> = files.iter().map(Read::typed_key).collect();
    store.prune(TYPED, &typed_files, 0);
    let scopes = (files.into_iter())
        .filter_map(|read| Some((read.rel, read.scope?)))
        .collect();

    lap(format_args!("repository rules run, cache written"));
    super::finish(&mut findings, &loaded, config.as_ref());
    super::attach_code_sources(&mut loaded, &findings);
    let report = Report {
        model: Model {
            config,
            files: Vec::new(),
        },
        compiled: Default::default(),
        targets,
        findings,
        scopes,
        skipped,
    };
    (loaded, report)
}

/// Reads one flag file and digests it; takes its findings from the cache's entry when that
/// holds for these bytes, or parses and types it. `Err` when it cannot be read (with the
/// finding, unless it has gone).
fn read(
    root: &Path,
    root_canon: &Path,
    abs: PathBuf,
    rel: String,
    cached: Option<&FileEntry>,
) -> Result<Read, Option<Box<Finding>>> {
    // Taken before the bytes are read: a write after this moves the stat, and the next run
    // reads the file again.
    let stat = Stat::of(&abs);
    if let Some(entry) = cached.filter(|e| Stat::vouches(e.stat, stat))
        && let Some(digest) = Digest32::from_hex(&entry.digest)
        && let Some(known) = restored(entry.findings.clone())
    {
        return Ok(Read {
            rel,
            abs,
            digest,
            bom: entry.bom,
            entry: Some(Box::new(entry.clone())),
            known: true,
            fresh: false,
            scope: entry.scope.clone(),
            stat,
            state: State::Known(known),
        });
    }
    let bytes = load::read_file(root_canon, &abs, &rel)
        .map_err(Some)?
        .ok_or(None)?;
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let text = if bom { &bytes[3..] } else { &bytes[..] };
    let digest = Digest32::of(text);
    let hex = digest.hex();
    if let Some(entry) = cached.filter(|e| e.digest == hex && e.bom == bom)
        && let Some(known) = restored(entry.findings.clone())
    {
        // A new stat is kept when it can vouch for the file where the old one could not.
        let fresh = match (entry.stat, stat) {
            (Some(then), Some(now)) => !then.same_version(&now) || now.settled(),
            (then, now) => then.is_some() != now.is_some(),
        };
        return Ok(Read {
            rel,
            abs,
            digest,
            bom,
            entry: Some(Box::new(FileEntry {
                stat: if fresh { stat } else { entry.stat },
                ..entry.clone()
            })),
            known: true,
            fresh,
            scope: entry.scope.clone(),
            stat,
            state: State::Known(known),
        });
    }
    // Invalid UTF-8 keeps its valid prefix as the file's text, which cannot be read back
    // from disk: such a file is checked every time.
    let utf8 = std::str::from_utf8(text).ok();
    let scope = utf8.and_then(load::scope_hint);
    let cacheable = utf8.is_some();
    let mut read = Read {
        rel,
        abs,
        digest,
        bom,
        entry: None,
        known: false,
        fresh: true,
        scope,
        stat,
        state: State::Known(Vec::new()),
    };
    if read.scope.is_some() {
        read.state = State::Deferred(Mutex::new(match bytes.len() < HOLD_BELOW {
            true => Pending::Held(bytes),
            false => Pending::OnDisk,
        }));
        return Ok(read);
    }
    let (part, typed) = parse(root, root_canon, &read.abs, &read.rel, (bytes, read.digest));
    read.scope = typed.as_ref().and_then(|t| t.scope.clone());
    if cacheable {
        let mut all = stored(&part.findings);
        if let Some(typed) = &typed {
            all.extend(stored(&typed.findings));
        }
        read.entry = Some(Box::new(read.entry(read.scope.clone(), all)));
    }
    read.state = State::Parsed {
        part,
        typed: typed.map(Box::new),
    };
    Ok(read)
}

/// A file's identity and times, as git's index keeps them to tell an unchanged file without
/// reading it. The change time moves with every write, rename and permission change, and no
/// tool can set it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stat {
    size: u64,
    modified_ns: i64,
    changed_ns: i64,
    inode: u64,
    device: u64,
    /// When it was taken, before the bytes were read.
    taken_ns: i64,
}

impl Stat {
    /// The stat of a regular file (not a symlink: its target's stat is not its own).
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.file_type().is_file() {
            return None;
        }
        let ns = |secs: i64, nanos: i64| secs.checked_mul(1_000_000_000)?.checked_add(nanos);
        let now = jiff::Timestamp::now().as_nanosecond();
        Some(Stat {
            size: meta.size(),
            modified_ns: ns(meta.mtime(), meta.mtime_nsec())?,
            changed_ns: ns(meta.ctime(), meta.ctime_nsec())?,
            inode: meta.ino(),
            device: meta.dev(),
            taken_ns: i64::try_from(now).ok()?,
        })
    }

    #[cfg(not(unix))]
    fn of(_: &Path) -> Option<Stat> {
        None
    }

    /// The same file, unchanged since `self` was taken, as far as its stat tells.
    fn same_version(&self, now: &Stat) -> bool {
        (
            self.size,
            self.modified_ns,
            self.changed_ns,
            self.inode,
            self.device,
        ) == (
            now.size,
            now.modified_ns,
            now.changed_ns,
            now.inode,
            now.device,
        )
    }

    /// File systems stamp times from a coarse clock (milliseconds or more): a write right
    /// after the file was read could keep its times. A stat taken two seconds or more after
    /// the last change is past that, and vouches for the bytes read after it.
    fn settled(&self) -> bool {
        self.changed_ns.max(self.modified_ns) + 2_000_000_000 <= self.taken_ns
    }

    /// Whether an entry read with stat `then` holds for the file as it is `now`.
    fn vouches(then: Option<Stat>, now: Option<Stat>) -> bool {
        matches!((then, now), (Some(then), Some(now)) if then.settled() && then.same_version(&now))
    }
}

/// What typing flagops.yaml found, for one text of it.
#[derive(Debug, Serialize, Deserialize)]
struct ConfigEntry {
    findings: Vec<Stored>,
    /// It typed as a whole, without a schema error: typing it again needs no schema pass.
    whole: bool,
}

/// flagops.yaml typed, as [`super::type_config`] does, with its findings kept by the digest
/// of its text.
fn type_config(
    loaded: &mut Loaded,
    findings: &mut Vec<Finding>,
    store: &Store,
    digest: Option<Digest32>,
) -> Option<crate::model::RepoConfig> {
    let key = digest.map(|d| Key::new(CONFIG).digest(&d).finish());
    if let Some(entry) = key.and_then(|key| store.get::<ConfigEntry>(CONFIG, &key))
        && entry.whole
        && let Some(known) = restored(entry.findings)
        && let Some(config) = super::type_config_again(loaded)
    {
        findings.extend(known);
        return Some(config);
    }
    let mut found = Vec::new();
    let config = super::type_config(loaded, &mut found);
    if let Some(key) = key {
        let whole = config.is_some() && found.iter().all(|f| f.rule.code != catalog::SCHEMA.code);
        let entry = ConfigEntry {
            findings: stored(&found),
            whole,
        };
        store.put(CONFIG, &key, &entry);
        store.prune(CONFIG, &[key].into_iter().collect(), 8);
    }
    findings.extend(found);
    config
}

/// Parses and types one flag file's bytes (with the digest of their text), as a load does.
fn parse(
    root: &Path,
    root_canon: &Path,
    abs: &Path,
    rel: &str,
    (bytes, digest): (Vec<u8>, Digest32),
) -> (Box<Loaded>, Option<TypedFile>) {
    let mut part = Box::new(Loaded::empty(root));
    let typed =
        load::parse_bytes(root_canon, abs, rel, (bytes, Some(digest)), &mut part).and_then(|()| {
            let doc = part.sources.get_mut(rel)?.doc.as_deref_mut()?;
            Some(type_flag_file(rel, std::mem::take(&mut doc.value)))
        });
    if typed.is_none() {
        super::scan_unparsed(&mut part, rel);
    }
    (part, typed)
}

/// Runs the per-profile rules on one profile's files, reading again those this run found in
/// the cache. The entry is sound (worth keeping) unless a file changed since it was read.
fn check_profile(
    (root, root_canon, store): (&Path, &Path, &Store),
    model: &Model,
    today: Date,
    (application, profile): &(String, String),
    declared: bool,
    (members, files, typed): (&[usize], &[Read], &[Taken]),
) -> (ProfileEntry, bool, Vec<Settled>) {
    let names: HashSet<&str> = members.iter().map(|&i| files[i].rel.as_str()).collect();
    let read: Vec<(Option<FlagFile>, bool, Option<Settled>)> = members
        .par_iter()
        .map(|&i| {
            let read = &files[i];
            if let Some((settled, file)) = read.settle(root, root_canon, i) {
                return (file, true, Some(settled));
            }
            match &read.state {
                State::Parsed { .. } | State::Deferred(_) => {
                    let file = typed[i].lock().ok().and_then(|mut t| t.take());
                    (file, true, None)
                }
                State::Known(_) => {
                    // A file of a profile checked again is kept typed: the next change in
                    // the profile reads it back rather than parsing it.
                    let key = read.typed_key();
                    if let Some(file) = store.get::<FlagFile>(TYPED, &key) {
                        return (Some(file), true, None);
                    }
                    let bytes = load::read_file(root_canon, &read.abs, &read.rel)
                        .ok()
                        .flatten();
                    let same = bytes.as_ref().is_some_and(|b| {
                        let text = if read.bom { &b[3..] } else { &b[..] };
                        Digest32::of(text) == read.digest
                    });
                    let file = bytes
                        .filter(|_| same)
                        .and_then(|b| {
                            parse(root, root_canon, &read.abs, &read.rel, (b, read.digest)).1
                        })
                        .and_then(|t| t.file);
                    if let Some(file) = &file {
                        store.put(TYPED, &key, file);
                    }
                    (file, same, None)
                }
            }
        })
        .collect();
    let sound = read.iter().all(|(_, same, _)| *same);
    let mut settled = Vec::new();
    let files: Vec<(String, FlagFile)> = members
        .iter()
        .zip(read)
        .filter_map(|(&i, (file, _, found))| {
            settled.extend(found);
            Some((files[i].rel.clone(), file?))
        })
        .collect();
    let model = Model {
        config: model.config.clone(),
        files,
    };
    let cx = Context {
        model: &model,
        root: Some(root),
        today,
        history: std::sync::OnceLock::new(),
    };
    // The rules are independent of each other and of compiling: they run at once, which is
    // what a one-file change waits for. The findings are sorted later.
    let config = model.config.as_ref();
    let (mut findings, (compiled_findings, targets)) = rayon::join(
        || {
            rules::enabled(rules::PER_PROFILE_FILES, config)
                .into_par_iter()
                .flat_map_iter(|rule| {
                    let mut found = Vec::new();
                    rule(&cx, &mut found);
                    found
                })
                .collect::<Vec<_>>()
        },
        || {
            if !declared {
                return (Vec::new(), 0);
            }
            // Only the findings are kept: the environments need not copy the shared section.
            let compiled = crate::compile::compile_profile_with(
                &model,
                application,
                profile,
                crate::compile::FlagsSection::InFirstDocument,
            );
            let found = rules::enabled(rules::PER_PROFILE, config)
                .into_par_iter()
                .flat_map_iter(|rule| {
                    let mut found = Vec::new();
                    rule(&cx, &compiled, &mut found);
                    found
                })
                .collect::<Vec<_>>();
            (found, compiled.targets.len())
        },
    );
    // flagops.yaml's own findings are said once, by the run, not by every profile.
    findings.retain(|f| names.contains(f.location.file()));
    findings.extend(compiled_findings);
    let outline: Vec<_> = (model.files.iter())
        .map(|(path, file)| (path.clone(), Outline::of(file)))
        .collect();
    let outline_digest = serde_json::to_vec(&outline)
        .map(|bytes| Digest32::of(&bytes).hex())
        .unwrap_or_default();
    let entry = ProfileEntry {
        findings: stored(&findings),
        targets,
        outline,
        outline_digest,
        found_on: today.to_string(),
        holds_until: rules::expiry_unchanged_until(&cx).map(|d| d.to_string()),
    };
    (entry, sound, settled)
}

/// Takes what parsing the deferred files found into the run, in path order: their findings,
/// their sources, the profile each names and what the cache keeps of them.
fn settle_into(
    settled: &mut Vec<Settled>,
    files: &mut [Read],
    loaded: &mut Loaded,
    findings: &mut Vec<Finding>,
) {
    // Each index once: no order among equals to keep, and no scratch buffer of them.
    settled.sort_unstable_by_key(|s| s.index);
    for mut s in settled.drain(..) {
        findings.append(&mut s.part.findings);
        findings.append(&mut s.findings);
        loaded.merge(*s.part);
        let read = &mut files[s.index];
        read.scope = s.scope;
        read.entry = Some(s.entry);
    }
}

/// The digest of a freeform profile's JSON Schema file (or of why it cannot be read): the
/// profile's findings depend on it.
fn schema_digest(root: &Path, model: &Model, application: &str, profile: &str) -> Digest32 {
    let schema = model
        .config
        .as_ref()
        .and_then(|c| c.applications.get(application))
        .and_then(|a| a.profiles.get(profile))
        .and_then(|p| p.schema.as_ref());
    match schema {
        None => Digest32([0; 32]),
        Some(path) => match load::read_repo_file(root, path) {
            Ok(bytes) => Key::new("schema").part(&bytes).finish(),
            Err(why) => Key::new("schema-error").part(why.as_bytes()).finish(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &str = "application: shop\nprofile: flags\nflags:\n  checkout:\n    name: Checkout\n    owner: team-shop\n    class: ops\n    defaults: { enabled: true }\n";

    /// A new file of `text` in a scratch repository, read as a check reads it: deferred to
    /// its profile.
    fn deferred(text: &str) -> (tempfile::TempDir, Read) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        let abs = root.join("checkout.yaml");
        std::fs::write(&abs, text).expect("write");
        let read = read(&root, &root, abs, "checkout.yaml".to_owned(), None).expect("read");
        assert!(matches!(read.state, State::Deferred(_)));
        (dir, read)
    }

    /// The same flags, large enough that a check reads them again rather than holding them.
    fn large() -> String {
        format!("{FLAGS}{}", "# padding\n".repeat(HOLD_BELOW / 10 + 1))
    }

    #[test]
    fn a_deferred_file_is_parsed_from_the_bytes_it_was_first_read_with() {
        for text in [FLAGS.to_owned(), large()] {
            let (dir, read) = deferred(&text);
            let held = match &read.state {
                State::Deferred(pending) => {
                    matches!(*pending.lock().expect("lock"), Pending::Held(_))
                }
                _ => false,
            };
            assert_eq!(held, text.len() < HOLD_BELOW);
            parses(&dir, &read);
        }
    }

    #[test]
    fn a_small_deferred_file_changed_since_it_was_read_is_parsed_as_it_was_read() {
        let (dir, read) = deferred(FLAGS);
        std::fs::write(dir.path().join("checkout.yaml"), "changed: [").expect("write");
        parses(&dir, &read);
    }

    fn parses(dir: &tempfile::TempDir, read: &Read) {
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        let (settled, file) = read.settle(&root, &root, 0).expect("settled");
        assert!(!settled.changed && settled.parsed);
        assert_eq!(settled.scope, Some(("shop".to_owned(), "flags".to_owned())));
        assert!(file.is_some_and(|f| f.flags.is_some_and(|flags| flags.contains_key("checkout"))));
        // Taken once.
        assert!(read.settle(&root, &root, 0).is_none());
    }

    #[test]
    fn a_large_deferred_file_that_changed_or_went_since_it_was_read_says_so() {
        for change in [Some(large().replace("Checkout", "Checkout, renamed")), None] {
            let (dir, read) = deferred(&large());
            let root = std::fs::canonicalize(dir.path()).expect("canonical");
            match &change {
                Some(text) => std::fs::write(root.join("checkout.yaml"), text).expect("write"),
                None => std::fs::remove_file(root.join("checkout.yaml")).expect("remove"),
            }
            let (settled, file) = read.settle(&root, &root, 0).expect("settled");
            assert!(settled.changed, "{change:?}");
            assert!(file.is_none() && !settled.parsed, "{change:?}");
        }
    }
}
