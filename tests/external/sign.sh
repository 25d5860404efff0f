#!/usr/bin/env bash
# External signing check: sign every signature field of an avtale PDF with pyHanko (one
# incremental signature per field, in sequence), validate the signatures with pyHanko, and
# check that `avtale verify` reports every field as signed and the file as verified.
#
# Run from the repo root:  bash tests/external/sign.sh
# Needs: python3 (with venv), openssl, cargo, and network access to PyPI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

agreement="agreements/nordlys-sparebank.toml"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/avtale-sign.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

say() { echo "sign.sh: $*"; }
fail() { echo "sign.sh: FAIL: $*" >&2; exit 1; }

# 1. pyHanko: the virtualenv in PYHANKO_VENV, or a throwaway one.
if [ -n "${PYHANKO_VENV:-}" ]; then
  py="$PYHANKO_VENV/bin/python"
else
  say "installing pyHanko into $tmp/venv"
  python3 -m venv "$tmp/venv"
  py="$tmp/venv/bin/python"
  "$py" -m pip install --quiet --disable-pip-version-check --no-input \
      'pyhanko==0.38.0'
fi

# 2. Throwaway self-signed certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -subj "/CN=Test Signatar" \
    -addext "keyUsage=critical,digitalSignature,nonRepudiation" \
    2>/dev/null

# 3. The example PDF.
# AVTALE_BIN names a binary that is already built (CI sets it after the test run, which
# builds target/debug/avtale with the test profile's features; a plain `cargo build` would
# compile the dependency tree a second time).
if [ -n "${AVTALE_BIN:-}" ]; then
  avtale="$AVTALE_BIN"
else
  cargo build --quiet || fail "cargo build failed"
  avtale="$root/target/debug/avtale"
fi
mkdir -p "$tmp/pdf"
"$avtale" build -q -o "$tmp/pdf" "$agreement" || fail "avtale build failed"
shopt -s nullglob
pdfs=("$tmp"/pdf/*.pdf)
shopt -u nullglob
[ "${#pdfs[@]}" -eq 1 ] || fail "expected one PDF from avtale build, got ${#pdfs[@]}"
unsigned="${pdfs[0]}"
[ "$(tail -c 6 "$unsigned" | od -An -c | tr -d ' ')" = '%%EOF\n' ] \
    || fail "$unsigned does not end in %%EOF and a newline"

mapfile -t fields < <("$py" "$here/sign_fields.py" fields "$unsigned")
[ "${#fields[@]}" -gt 0 ] || fail "no signature fields in $unsigned"
say "fields: ${fields[*]}"

# 4. Sign every field, each signature an incremental update over the previous output.
signed="$tmp/signed.pdf"
"$py" "$here/sign_fields.py" sign "$unsigned" "$signed" "$tmp/key.pem" "$tmp/cert.pem"
cmp -s -n "$(stat -c %s "$unsigned")" "$unsigned" "$signed" \
    || fail "the signed file does not start with the unsigned file's bytes"

# 5. pyHanko validation, the throwaway certificate as the only trust root.
if ! "$py" "$here/sign_fields.py" validate "$signed" "$tmp/cert.pem"; then
    fail "pyHanko does not validate every signature"
fi

# 6. avtale verify with the certificate as trust anchor: exit 0, every field signed and
#    trusted. Without the anchor the same file is not verified: the signer is not trusted.
set +e
untrusted="$("$avtale" verify "$signed" 2>&1)"
untrusted_rc=$?
out="$("$avtale" verify --trust "$tmp/cert.pem" "$signed" 2>&1)"
rc=$?
set -e
bad=0
[ "$rc" -eq 0 ] || { echo "sign.sh: avtale verify exited with $rc" >&2; bad=1; }
[ "$untrusted_rc" -eq 1 ] || { echo "sign.sh: avtale verify without --trust exited with $untrusted_rc" >&2; bad=1; }
grep -q 'NOT trusted' <<<"$untrusted" || { echo "sign.sh: without --trust the signer is not said to be untrusted" >&2; bad=1; }
for f in "${fields[@]}"; do
    if ! grep -Eq "^ *field ${f}( on page [0-9]+)?: signed by .* \(valid, trusted\)\$" <<<"$out"; then
        echo "sign.sh: avtale verify does not report field $f as signed" >&2
        bad=1
    fi
done
grep -qx 'verified' <<<"$out" || { echo "sign.sh: avtale verify does not say 'verified'" >&2; bad=1; }
if [ "$bad" -ne 0 ]; then
    echo "--- avtale verify $signed:" >&2
    echo "$out" >&2
    exit 1
fi
grep -E '^ *field ' <<<"$out" | sed 's/^ */avtale verify: /'

# 7.
say "${#fields[@]} fields signed and validated"
