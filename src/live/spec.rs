//! Which backend a command talks to, parsed once from `--backend`, `FLAGOPS_BACKEND` or
//! flagops.yaml's `backend`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The default directory of the local backend, relative to the repository root.
pub const DEFAULT_LOCAL_DIR: &str = ".flagops/local";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendSpec {
    /// AWS AppConfig, through the standard credential chain and endpoint settings.
    AppConfig,
    /// A directory that behaves like AppConfig, relative to the repository root.
    Local(PathBuf),
}

impl BackendSpec {
    /// The local backend's directory, resolved against the repository root.
    pub fn local_dir(&self, root: &Path) -> Option<PathBuf> {
        match self {
            BackendSpec::AppConfig => None,
            BackendSpec::Local(dir) => Some(root.join(dir)),
        }
    }
}

impl FromStr for BackendSpec {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        match spec
            .split_once(':')
            .map_or((spec, None), |(k, d)| (k, Some(d)))
        {
            ("appconfig", None) => Ok(BackendSpec::AppConfig),
            ("local", dir) => Ok(BackendSpec::Local(PathBuf::from(
                dir.filter(|d| !d.is_empty()).unwrap_or(DEFAULT_LOCAL_DIR),
            ))),
            _ => Err(format!(
                "unknown backend `{spec}`: use `appconfig` or `local[:DIR]`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_bad_ones_say_what_is_accepted() {
        assert_eq!("appconfig".parse(), Ok(BackendSpec::AppConfig));
        assert_eq!(
            "local".parse(),
            Ok(BackendSpec::Local(PathBuf::from(DEFAULT_LOCAL_DIR)))
        );
        assert_eq!("local:x/y".parse(), Ok(BackendSpec::Local("x/y".into())));
        let err = "appconfig:x".parse::<BackendSpec>().unwrap_err();
        assert!(err.contains("use `appconfig` or `local[:DIR]`"), "{err}");
    }
}
