#!/usr/bin/env bash
# Installs a flagops release binary, verified against the release's SHA256SUMS:
#
#   install.sh VERSION DIR [COMMIT]
#
# puts DIR/bin/flagops in place. With COMMIT, the release must have been built from that
# commit (its COMMIT file says so), or nothing is installed. action.yml runs this; it works
# by hand too (`bash install.sh 0.1.0 ~/.local`).
#
# Where releases are: FLAGOPS_RELEASES, else
# https://github.com/${FLAGOPS_REPOSITORY:-flagops/flagops}/releases/download; the files are
# under .../vVERSION/. FLAGOPS_OS and FLAGOPS_ARCH stand in for `uname -s` and `uname -m`.
#
# Exit codes: 0 installed; 1 failed, nothing installed (a checksum that does not match, a
# broken download, a binary that is not the version asked for): never build around that;
# 2 no release of this version (or not of this commit) for this platform: build from source
# instead; 3 no release binary exists for this platform.
set -euo pipefail

usage="usage: install.sh VERSION DIR [COMMIT]"
version=${1:?$usage}
dir=${2:?$usage}
commit=${3:-}
os=${FLAGOPS_OS:-$(uname -s)}
arch=${FLAGOPS_ARCH:-$(uname -m)}

say() { printf 'flagops install: %s\n' "$*" >&2; }

case "$os/$arch" in
  Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
  *)
    say "no release binary is built for $os/$arch"
    exit 3
    ;;
esac

base="${FLAGOPS_RELEASES:-https://github.com/${FLAGOPS_REPOSITORY:-flagops/flagops}/releases/download}/v$version"
asset="flagops-$version-$target.tar.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Downloads $1 into $tmp; 404 means the release (or the file) does not exist.
fetch() {
  local code
  code=$(curl -sSL --retry 3 --connect-timeout 10 -o "$tmp/$1" -w '%{http_code}' "$base/$1") || {
    say "cannot download $base/$1"
    exit 1
  }
  case "$code" in
    200) ;;
    404)
      say "no $1 in release v$version ($base)"
      exit 2
      ;;
    *)
      say "downloading $base/$1 answered HTTP $code"
      exit 1
      ;;
  esac
}

fetch SHA256SUMS
if [ -n "$commit" ]; then
  fetch COMMIT
  built=$(tr -d '[:space:]' < "$tmp/COMMIT")
  if [ "$built" != "$commit" ]; then
    say "release v$version was built from $built, not from $commit"
    exit 2
  fi
fi
expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
if [ -z "$expected" ]; then
  say "release v$version has no $asset"
  exit 2
fi
fetch "$asset"
if command -v sha256sum >/dev/null; then
  actual=$(sha256sum "$tmp/$asset" | cut -d' ' -f1)
else
  actual=$(shasum -a 256 "$tmp/$asset" | cut -d' ' -f1)
fi
if [ "$actual" != "$expected" ]; then
  say "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing installed"
  exit 1
fi

mkdir -p "$tmp/unpacked"
tar -xzf "$tmp/$asset" -C "$tmp/unpacked"
binary="$tmp/unpacked/flagops"
if [ ! -f "$binary" ]; then
  say "$asset holds no flagops binary at its top"
  exit 1
fi
chmod 0755 "$binary"
reported=$("$binary" --version 2>/dev/null || true)
if [ "$reported" != "flagops $version" ]; then
  say "$asset holds \"$reported\", not flagops $version"
  exit 1
fi
mkdir -p "$dir/bin"
mv -f "$binary" "$dir/bin/flagops.partial"
mv -f "$dir/bin/flagops.partial" "$dir/bin/flagops"
say "installed flagops $version ($target) in $dir/bin"
