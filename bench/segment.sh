#!/usr/bin/env bash
# Batch build of a whole segment, measured against the typst CLI and against in-process Typst
# alone, on the same agreements.
#
#   bench/segment.sh [N] [--mixed] [--services 2] [--runs R]   (N agreements, default 1000)
#
# The agreements are members of one segment in bokmål; with --mixed they take turns between
# three languages and between segment members and stand-alone agreements (six different sets
# of appendices); with --services 2 each asks for two sharing services (see
# bench/gen_agreements.py).
#
# Prints, for the same N agreements:
#   (a)  avtale build as the CLI below builds: PDF/A-2a + UA-1, no attachments, no fields
#   (a+) avtale build with the defaults: attachments, signature fields, PDF/A-3a + UA-1
#   (b)  the typst CLI compiling the same Typst sources, one process per document, two at a
#        time, with --pdf-standard a-2a,ua-1
#   (b+) the same with --pdf-standard a-3a,ua-1 (the CLI cannot attach the source files or
#        add signature fields, so it does less than (a+))
#   (c)  the floor: the agreements' own pages laid out and the combined pages exported
#        (cargo bench --bench floor), and avtale build's ratio to it
#   (d)  a no-op rebuild, and a rebuild after one agreement was edited
# and the ratios b/a and b+/a+. With --runs R (default 1), (a), (b), (a+) and (b+) are measured
# R times in turns, so that a slow spell of a shared machine falls on both sides alike; each
# prints its fastest and its median time, and the ratios are taken of the fastest. The typst
# CLI is installed with cargo if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
n=1000
runs=1
gen=()
label=""
while [ $# -gt 0 ]; do
  case $1 in
    --mixed) gen+=(--mixed); label+=" mixed" ;;
    --services) gen+=(--services "$2"); label+=" services=$2"; shift ;;
    --runs) runs=$2; shift ;;
    *) n=$1 ;;
  esac
  shift
done
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/avtale
if ! command -v typst >/dev/null 2>&1; then
  echo "installing typst-cli 0.15.1 (once) ..." >&2
  cargo install --locked typst-cli --version 0.15.1 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_agreements.py "$work/in" "$n" "${gen[@]}"

secs() { python3 -c 'import sys; print(f"{float(sys.argv[1]):.2f}")' "$1"; }
timed() { # prints "seconds peak_kib" of a command, the memory summed over its worker processes
  python3 bench/peak_memory.py "$@" || { echo "failed: $*" >&2; exit 1; }
}

# (a) on the same footing as (b) and (c): no attachments, no signature fields (both need
# post-processing the CLI cannot do); (a+) is the default build with both.
plain=(--no-attachments --no-signature-fields)

# The same agreements as Typst sources, with the templates beside them for the CLI.
mkdir -p "$work/src"
cp -r templates/. "$work/src/"
for f in "$work"/in/*.toml; do
  id=$(basename "$f" .toml)
  "$bin" render --format typst --no-attachments "$f" > "$work/src/$id.typ"
done
cli() { # prints the seconds the typst CLI takes over every source, two processes at a time
  local standards=$1 start end
  rm -f "$work"/src/*.pdf
  start=$(date +%s.%N)
  ls "$work"/src/avtale-*.typ | xargs -P 2 -I{} typst compile --root "$work/src" --font-path fonts \
    --ignore-system-fonts --pdf-standard "$standards" {} >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
stats() { # "fastest median" of the seconds given
  python3 -c 'import statistics, sys; v = [float(x) for x in sys.argv[1:]]; print(f"{min(v):.2f} {statistics.median(v):.2f}")' "$@"
}
a_all=() af_all=() b_all=() bf_all=() a_kib=0 af_kib=0
for _ in $(seq "$runs"); do
  read -r s kib < <(timed "$bin" build --quiet --force "${plain[@]}" -o "$work/out" "$work/in")
  a_all+=("$s"); a_kib=$((kib > a_kib ? kib : a_kib))
  b_all+=("$(cli a-2a,ua-1)")
  read -r s kib < <(timed "$bin" build --quiet --force -o "$work/out-full" "$work/in")
  af_all+=("$s"); af_kib=$((kib > af_kib ? kib : af_kib))
  bf_all+=("$(cli a-3a,ua-1)")
done
read -r a_s a_med < <(stats "${a_all[@]}")
read -r af_s af_med < <(stats "${af_all[@]}")
read -r b_s b_med < <(stats "${b_all[@]}")
read -r bf_s bf_med < <(stats "${bf_all[@]}")
cli_pdfs=$(ls "$work"/src/*.pdf 2>/dev/null | wc -l || true)

cargo bench --quiet --bench floor --no-run 2>/dev/null
floor=$(cargo bench --quiet --bench floor -- "$work/in")
c_s=$(echo "$floor" | sed -nE 's/^floor.*: ([0-9.]+) s$/\1/p')
c_ratio=$(echo "$floor" | sed -nE 's/^build \/ floor = //p')

read -r d1_s _ < <(timed "$bin" build --quiet "${plain[@]}" -o "$work/out" "$work/in")
inputs=("$work"/in/*.toml)
first=${inputs[0]}
sed -i 's/Beregne redusert foreldrebetaling/Beregne redusert foreldrebetaling og friplass/' "$first"
read -r d2_s _ < <(timed "$bin" build --quiet "${plain[@]}" -o "$work/out" "$work/in")

echo "agreements: $n${label}, $(nproc) cores, $runs run(s) each (fastest; median)"
echo "(a) avtale build:              $a_s s; $a_med s, peak memory (PSS) $((a_kib / 1024)) MiB"
echo "(a+) with the defaults:        $af_s s; $af_med s, peak memory (PSS) $((af_kib / 1024)) MiB"
echo "(b) typst CLI, 2 processes:    $b_s s; $b_med s ($cli_pdfs PDFs)"
echo "(b+) typst CLI, PDF/A-3a:      $bf_s s; $bf_med s"
echo "(c) floor:                     $(secs "$c_s") s; avtale build (defaults) / floor = $c_ratio"
echo "(d) no-op rebuild:             $(secs "$d1_s") s; after editing one agreement: $(secs "$d2_s") s"
echo "b/a = $(python3 -c "print(f'{$b_s / $a_s:.2f}')")   b+/a+ = $(python3 -c "print(f'{$bf_s / $af_s:.2f}')")"
