#!/usr/bin/env bash
# Signature oracle: build an example PDF, make a corpus of signed, forged and tampered copies
# of it (pyHanko, OpenSSL and `avtale sign`), and check that `avtale verify` decides every one
# as pyHanko does (intact, valid, trusted, modifications allowed).
#
#   bash tests/external/signatures.sh
#
# AVTALE_BIN names a built binary (default: cargo build); PYHANKO_VENV a virtualenv that
# already has pyhanko==0.38.0 (default: a throwaway one). Needs python3 (venv) and openssl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/avtale-oracle.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [ -z "${AVTALE_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet)
  AVTALE_BIN="$(cd "$root/${CARGO_TARGET_DIR:-target}" && pwd)/debug/avtale"
fi
export AVTALE_BIN
venv="${PYHANKO_VENV:-}"
if [ -z "$venv" ]; then
  venv="$tmp/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input 'pyhanko==0.38.0'
fi

"$AVTALE_BIN" build -q -o "$tmp/pdf" "$root/agreements/nordlys-sparebank.toml"
unsigned=("$tmp"/pdf/*.pdf)
"$venv/bin/python" "$here/signatures.py" "${unsigned[0]}"
