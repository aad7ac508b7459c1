//! Bounded time: an endpoint that accepts TCP connections and never answers (a black hole)
//! fails plan and apply with exit 1 well within 30 s, naming the endpoint.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::{Repo, flagops, stderr, stdout};

/// A listener that accepts every connection and holds it open without a byte of answer.
fn black_hole() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    (endpoint, handle)
}

#[test]
fn a_black_hole_endpoint_fails_plan_and_apply_within_30_seconds_naming_it() {
    let (endpoint, _listener) = black_hole();
    let repo = Repo::new(support::TWO_ENVIRONMENTS);
    for args in [&["plan"][..], &["apply", "--poll-seconds", "1"]] {
        let started = Instant::now();
        let out = flagops(repo.path(), &endpoint, args);
        let took = started.elapsed();
        let text = format!("{}{}", stdout(&out), stderr(&out));
        eprintln!(
            "{args:?}: exit {:?} after {took:?}: {text}",
            out.status.code()
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
        assert!(took < Duration::from_secs(30), "{args:?} took {took:?}");
        let host = endpoint.trim_start_matches("http://");
        assert!(text.contains(host), "{args:?} names {host}: {text}");
    }
}

#[test]
fn a_refused_endpoint_fails_plan_within_30_seconds_saying_it_refused() {
    // A port nothing listens on: the listener is gone before flagops starts.
    let endpoint = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let repo = Repo::new(support::TWO_ENVIRONMENTS);
    let started = Instant::now();
    let out = flagops(repo.path(), &endpoint, &["plan"]);
    let took = started.elapsed();
    let text = stderr(&out);
    eprintln!("exit {:?} after {took:?}: {text}", out.status.code());
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let host = endpoint.trim_start_matches("http://");
    assert!(
        text.contains(&format!("cannot connect to http://{host}")),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert!(!text.contains("no answer"), "{text}");
}
