#!/usr/bin/env bash
# Throughput of `avtale check`: generates N synthetic, valid agreement files (default 5000)
# and times checking them, best of R runs (default 5).
#
#   bench/check.sh [N] [RUNS]
#
# Uses the release binary (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
runs=${2:-5}
cargo build --release --quiet
bin=target/release/avtale
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 bench/gen_agreements.py "$dir" "$n"
"$bin" check "$dir" >/dev/null 2>&1 || { echo "synthetic files do not pass check" >&2; "$bin" check "$dir" | head; exit 1; }
best=""
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$bin" check "$dir" >/dev/null 2>&1
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
/usr/bin/time -f '%M' -o "$dir.rss" "$bin" check "$dir" >/dev/null 2>&1 || true
rss=$(tail -1 "$dir.rss"); rm -f "$dir.rss"
printf 'files: %d\nbest of %d: %.3f s\nthroughput: %.0f files/s\npeak RSS: %s KiB\n' \
  "$n" "$runs" "$best" "$(echo "$n / $best" | bc -l)" "$rss"
