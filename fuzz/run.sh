#!/usr/bin/env bash
# Run every fuzz target for a bounded time and print executions and crashes per target.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 300 seconds, every target)
#
# Installs cargo-fuzz if it is missing. cargo fuzz needs nightly flags; on a stable
# toolchain they are allowed with RUSTC_BOOTSTRAP=1. Corpora grow in fuzz/corpus/<target>
# (seeded from fuzz/seeds/<target> and the repository's examples), crashes land in
# fuzz/artifacts/<target>; both are ignored by git. Exits 1 if any target crashed.
set -euo pipefail

seconds="${1:-300}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

# Release build with debug assertions (overflow checks); no sanitizer: the code under test
# is safe Rust, and without one the fuzzer runs several times faster.
build_flags=(-O -a -s none)
cargo fuzz build "${build_flags[@]}" "${targets[@]}" >/dev/null 2>&1 || cargo fuzz build "${build_flags[@]}"

seed() {
    local target="$1" dir="corpus/$1"
    mkdir -p "$dir"
    if [ -d "seeds/$target" ]; then cp -n seeds/"$target"/* "$dir"/ 2>/dev/null || true; fi
    case "$target" in
        parse_validate) find ../agreements ../tests/fixtures -name '*.toml' -exec cp -n {} "$dir"/ \; ;;
        segment_csv) find ../agreements ../tests/fixtures -name '*.csv' -exec cp -n {} "$dir"/ \; ;;
    esac
}

status=0
summary=()
for t in "${targets[@]}"; do
    seed "$t"
    mkdir -p "artifacts/$t"
    log="artifacts/$t/last-run.log"
    echo "== $t: ${seconds}s" >&2
    set +e
    cargo fuzz run "${build_flags[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
        -print_final_stats=1 >"$log" 2>&1
    code=$?
    set -e
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
    crashes=$(find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
    summary+=("$(printf '%-16s executions %12s   crashes %d   exit %d' "$t" "${execs:-?}" "$crashes" "$code")")
    if [ "$code" -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; fi
done
printf '%s\n' "${summary[@]}"
exit $status
