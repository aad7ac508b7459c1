//! What every backend speaks: the requests that create things, and the error a call fails with.

/// What kind of failure a backend call had, so callers can react (409s are expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 409: a concurrent writer (another deployment in progress, a stale version number).
    Conflict,
    NotFound,
    /// The request was rejected as invalid (400).
    BadRequest,
    /// Network, throttling that outlasted retries, 5xx, credentials.
    Other,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct BackendError {
    pub kind: ErrorKind,
    pub operation: &'static str,
    pub message: String,
}

impl BackendError {
    pub fn new(kind: ErrorKind, operation: &'static str, message: impl Into<String>) -> Self {
        BackendError {
            kind,
            operation,
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, BackendError>;

/// A new hosted configuration version.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub application_id: &'a str,
    pub profile_id: &'a str,
    pub content: &'a [u8],
    pub content_type: &'a str,
    pub label: &'a str,
    pub description: &'a str,
    /// Compare-and-swap: the newest version number the caller saw (None: no versions yet).
    pub latest_version_number: Option<i32>,
}

/// A deployment to start.
#[derive(Debug, Clone)]
pub struct NewDeployment<'a> {
    pub application_id: &'a str,
    pub environment_id: &'a str,
    pub profile_id: &'a str,
    pub strategy_id: &'a str,
    pub version: &'a str,
    pub description: &'a str,
    pub tags: Vec<(String, String)>,
    /// Compare-and-swap: the newest deployment number of the environment the caller saw
    /// (0: none yet). A start decided on stale history then fails with a conflict. `None`
    /// sends no guard.
    pub latest_deployment_number: Option<i32>,
}
