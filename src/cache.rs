//! The on-disk cache of `check`: entries addressed by a digest of everything that decides
//! them, so that an entry is either exactly right or never found.
//!
//! Results never depend on it. An entry that cannot be read, does not parse, or names another
//! key or flagops version is ignored and written again; entries are written to a temporary
//! file and renamed into place, so that runs at once never read half an entry. A cache that
//! cannot be written (a read-only checkout) costs speed, never a result.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

/// Where the cache lives unless `--cache-dir` or `FLAGOPS_CACHE_DIR` says otherwise, relative
/// to the repository root.
pub const DEFAULT_DIR: &str = ".flagops/cache";

/// Bumped whenever what an entry holds changes shape or meaning.
const FORMAT: u32 = 1;

/// A SHA-256 digest: of a file's bytes, or of the parts of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest32(pub [u8; 32]);

impl Digest32 {
    pub fn of(bytes: &[u8]) -> Self {
        Digest32(Sha256::digest(bytes).into())
    }

    /// The digest [`Self::hex`] wrote.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Digest32(bytes))
    }

    pub fn hex(&self) -> String {
        use std::fmt::Write;
        self.0.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}

/// Builds a key from its parts; each part is length-prefixed, so that no two different lists
/// of parts give the same bytes.
pub struct Key(Sha256);

impl Key {
    /// A key of the given kind for this build of flagops.
    pub fn new(kind: &str) -> Self {
        let key = Key(Sha256::new());
        key.part(kind.as_bytes())
            .part(env!("CARGO_PKG_VERSION").as_bytes())
            .part(&FORMAT.to_le_bytes())
    }

    pub fn part(mut self, bytes: &[u8]) -> Self {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn digest(self, digest: &Digest32) -> Self {
        self.part(&digest.0)
    }

    pub fn finish(self) -> Digest32 {
        Digest32(self.0.finalize().into())
    }
}

/// A cache directory, or none (`--no-cache`).
#[derive(Debug)]
pub struct Store {
    dir: Option<PathBuf>,
    /// Entries written and read by this run, for the summary and for pruning.
    written: AtomicU64,
    read: AtomicU64,
}

#[derive(Serialize)]
struct EntryOut<'a, T> {
    format: u32,
    version: &'a str,
    key: String,
    value: &'a T,
}

#[derive(Deserialize)]
struct EntryIn<T> {
    format: u32,
    version: String,
    key: String,
    value: T,
}

impl Store {
    /// A store in `dir`, created when the first entry is written.
    pub fn at(dir: PathBuf) -> Self {
        Store {
            dir: Some(dir),
            written: AtomicU64::new(0),
            read: AtomicU64::new(0),
        }
    }

    /// No cache: every lookup misses, nothing is written.
    pub fn none() -> Self {
        Store {
            dir: None,
            written: AtomicU64::new(0),
            read: AtomicU64::new(0),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// How many entries this run found and wrote.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.read.load(Ordering::Relaxed),
            self.written.load(Ordering::Relaxed),
        )
    }

    fn path(&self, kind: &str, key: &Digest32) -> Option<PathBuf> {
        let hex = key.hex();
        Some(self.dir.as_ref()?.join(kind).join(format!("{hex}.json")))
    }

    /// The entry of `kind` under `key`, when there is a sound one.
    pub fn get<T: DeserializeOwned>(&self, kind: &str, key: &Digest32) -> Option<T> {
        let bytes = std::fs::read(self.path(kind, key)?).ok()?;
        let entry: EntryIn<T> = serde_json::from_slice(&bytes).ok()?;
        let sound = entry.format == FORMAT
            && entry.version == env!("CARGO_PKG_VERSION")
            && entry.key == key.hex();
        if !sound {
            return None;
        }
        self.read.fetch_add(1, Ordering::Relaxed);
        Some(entry.value)
    }

    /// Writes the entry of `kind` under `key`, atomically; a failure only loses the entry.
    pub fn put<T: Serialize>(&self, kind: &str, key: &Digest32, value: &T) {
        let Some(path) = self.path(kind, key) else {
            return;
        };
        let entry = EntryOut {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION"),
            key: key.hex(),
            value,
        };
        let Ok(text) = serde_json::to_string(&entry) else {
            return;
        };
        // No secret is written anywhere, the cache included: an entry that holds one (a
        // credential in a flag's key, say) is not kept, and is computed again each run.
        if crate::secrets::redact(&text) != text {
            tracing::debug!(
                "cache entry {} not written: it holds a secret",
                path.display()
            );
            return;
        }
        let written = self.write(&path, text.as_bytes());
        match written {
            Ok(()) => {
                self.written.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => tracing::debug!("cache entry {} not written: {e}", path.display()),
        }
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        if !dir.is_dir() {
            self.create(dir)?;
        }
        // Unique per process and call: two runs writing the same entry each rename their own
        // complete file into place, and the last one wins with the same content.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tmp = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    /// Creates the cache directory, marked so that git and backup tools leave it alone.
    fn create(&self, kind_dir: &Path) -> std::io::Result<()> {
        let Some(root) = &self.dir else {
            return Ok(());
        };
        if !root.is_dir() {
            std::fs::create_dir_all(root)?;
            // Ignored by git wherever it lives, whatever the repository's .gitignore says.
            std::fs::write(root.join(".gitignore"), "# written by flagops\n*\n")?;
            std::fs::write(
                root.join("CACHEDIR.TAG"),
                "Signature: 8a477f597d28d172789f06886806bc55\n# a cache directory of flagops check\n",
            )?;
        }
        std::fs::create_dir_all(kind_dir)
    }

    /// Whether `value`, written as an entry, would hold a secret: [`Self::put`] refuses such
    /// an entry, and a collection of values may leave out the few that do.
    pub fn holds_secret<T: Serialize>(value: &T) -> bool {
        serde_json::to_string(value).is_ok_and(|text| crate::secrets::redact(&text) != text)
    }

    /// Removes the entries of `kind` this run did not use once there are more than twice as
    /// many as it used, plus `slack`: a cache that only grows would slow every listing of it.
    /// Another run may be using one of them: it is rebuilt there, as any missing entry is.
    pub fn prune(&self, kind: &str, used: &std::collections::HashSet<Digest32>, slack: usize) {
        let Some(dir) = self.dir.as_ref().map(|d| d.join(kind)) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let names: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        if names.len() <= 2 * used.len() + slack {
            return;
        }
        let keep: std::collections::HashSet<String> =
            used.iter().map(|d| format!("{}.json", d.hex())).collect();
        for name in names {
            if !keep.contains(name.to_string_lossy().as_ref()) {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("cache"));
        let key = Key::new("t").part(b"a").finish();
        let other = Key::new("t").part(b"b").finish();
        store.put("t", &key, &vec![1, 2, 3]);
        assert_eq!(store.get::<Vec<u32>>("t", &key), Some(vec![1, 2, 3]));
        assert_eq!(store.get::<Vec<u32>>("t", &other), None);
        assert!(dir.path().join("cache/.gitignore").is_file());
        assert!(dir.path().join("cache/CACHEDIR.TAG").is_file());
    }

    #[test]
    fn a_digest_reads_back_from_its_hex() {
        let digest = Digest32::of(b"flags");
        assert_eq!(Digest32::from_hex(&digest.hex()), Some(digest));
        assert_eq!(Digest32::from_hex("zz"), None);
        assert_eq!(Digest32::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn parts_are_delimited() {
        let ab_c = Key::new("t").part(b"ab").part(b"c").finish();
        let a_bc = Key::new("t").part(b"a").part(b"bc").finish();
        assert_ne!(ab_c, a_bc);
    }

    #[test]
    fn a_corrupt_or_foreign_entry_is_ignored_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().to_path_buf());
        let key = Key::new("t").part(b"a").finish();
        store.put("t", &key, &7u32);
        let path = store.path("t", &key).unwrap();
        std::fs::write(&path, b"{\"format\":1,\"vers").unwrap();
        assert_eq!(store.get::<u32>("t", &key), None);
        store.put("t", &key, &7u32);
        let foreign = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"format\":1", "\"format\":99");
        std::fs::write(&path, foreign).unwrap();
        assert_eq!(store.get::<u32>("t", &key), None);
        // Another key's entry copied under this name.
        let other = Key::new("t").part(b"b").finish();
        store.put("t", &other, &8u32);
        std::fs::copy(store.path("t", &other).unwrap(), &path).unwrap();
        assert_eq!(store.get::<u32>("t", &key), None);
        store.put("t", &key, &7u32);
        assert_eq!(store.get::<u32>("t", &key), Some(7));
    }

    #[test]
    fn an_entry_holding_a_secret_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().to_path_buf());
        let key = Key::new("t").finish();
        let secret = format!("{}{}", "AKIA", "Z7Q2XK5MBN4WJ3HD");
        assert!(Store::holds_secret(&secret));
        store.put("t", &key, &secret);
        assert_eq!(store.get::<String>("t", &key), None);
        assert_eq!(store.counts(), (0, 0));
        store.put("t", &key, &"no secret here");
        assert_eq!(
            store.get::<String>("t", &key).as_deref(),
            Some("no secret here")
        );
    }

    #[test]
    fn without_a_directory_nothing_is_kept() {
        let store = Store::none();
        let key = Key::new("t").finish();
        store.put("t", &key, &1u32);
        assert_eq!(store.get::<u32>("t", &key), None);
        assert_eq!(store.counts(), (0, 0));
    }
}
