#!/usr/bin/env bash
# The local web editor in a real browser: `avtale serve` over a temporary copy of
# agreements/, driven by Selenium 4 in headless Chromium, with accessibility checks by
# axe-core (WCAG 2.0/2.1 A and AA; a serious or critical violation fails). The scenarios are
# in browser.py; it closes with `browser: N passed, M failed` and writes the screenshots
# docs/screenshots/start.png and editor.png.
#
#   bash tests/external/browser.sh            # every scenario
#   BROWSER_ONLY=ag bash tests/external/browser.sh   # scenarios a and g
#
# AVTALE_BIN names a built avtale (default: target/debug/avtale, built if missing).
# BROWSER_VENV a virtualenv with Selenium (default: a throwaway one from PyPI).
# AXE_JS an axe.min.js (default: `npm install axe-core@4` into target/axe-core).
# CHROMIUM_BIN, CHROMEDRIVER_BIN (default: Debian's /usr/bin/chromium and /usr/bin/chromedriver,
# from the packages chromium and chromium-driver). The served copy of agreements/, the server's
# stderr and failure screenshots are left in target/browser/ for a look after a run.
# Needs python3 (with venv), npm (unless AXE_JS is set), chromium and chromium-driver.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="$root/${CARGO_TARGET_DIR:-target}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/avtale-browser.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

say() { echo "browser.sh: $*"; }
fail() { echo "browser.sh: $*" >&2; echo "browser: 0 passed, 1 failed"; exit 1; }

chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}"
[ -x "$chromium" ] || fail "no Chromium at $chromium (apt-get install chromium)"
[ -x "$chromedriver" ] || fail "no ChromeDriver at $chromedriver (apt-get install chromium-driver)"

if [ -n "${AVTALE_BIN:-}" ]; then
  avtale="$AVTALE_BIN"
else
  avtale="$target/debug/avtale"
  [ -x "$avtale" ] || cargo build --quiet || fail "cargo build failed"
fi
[ -x "$avtale" ] || fail "no avtale binary at $avtale"

# Selenium 4, in a throwaway virtualenv unless one is given.
if [ -n "${BROWSER_VENV:-}" ]; then
  py="$BROWSER_VENV/bin/python"
else
  python3 -m venv "$tmp/venv"
  py="$tmp/venv/bin/python"
  "$py" -m pip install --quiet --disable-pip-version-check --no-input 'selenium>=4.20,<5' \
    || fail "pip install selenium failed"
fi
# Selenium must use the given driver, never fetch one of its own.
export SE_OFFLINE=true SE_AVOID_STATS=true PYTHONDONTWRITEBYTECODE=1

# axe-core 4 from npm, kept under target/.
if [ -n "${AXE_JS:-}" ]; then
  axe="$AXE_JS"
else
  axe="$target/axe-core/node_modules/axe-core/axe.min.js"
  if [ ! -f "$axe" ]; then
    mkdir -p "$target/axe-core"
    npm install --silent --no-save --no-audit --no-fund --prefix "$target/axe-core" 'axe-core@4' >/dev/null \
      || fail "npm install axe-core failed"
  fi
fi
[ -f "$axe" ] || fail "no axe.min.js at $axe"
say "$("$chromium" --version 2>/dev/null | head -1), $("$chromedriver" --version | cut -d' ' -f1-2), selenium $("$py" -c 'import selenium; print(selenium.__version__)'), axe-core $(sed -n 's/^.*axe v\([0-9.]*\).*$/\1/p' "$axe" | head -1)"

# The served copy of agreements/ at a fixed path (shown on the start page, so the screenshot
# stays the same from run to run); failure screenshots beside it.
work="$target/browser/work"
rm -rf "$work" "$target/browser"/*.png "$target/browser"/*.pdf
mkdir -p "$work"
set +e
"$py" "$here/browser.py" \
  --avtale "$avtale" --axe "$axe" --root "$root" --work "$work" \
  --chromium "$chromium" --chromedriver "$chromedriver" \
  --artifacts "$target/browser" --screenshots "$root/docs/screenshots" \
  --only "${BROWSER_ONLY:-}"
rc=$?
set -e
exit "$rc"
