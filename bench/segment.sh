#!/usr/bin/env bash
# Batch build of a whole segment, measured against the typst CLI and against in-process Typst
# alone, on the same agreements.
#
#   bench/segment.sh [N] [--mixed]   (N agreements, default 1000)
#
# The agreements are members of one segment in bokmål; with --mixed they take turns between
# three languages and between segment members and stand-alone agreements (six different sets
# of appendices; see bench/gen_agreements.py).
#
# Prints, for the same N agreements:
#   (a) avtale build: wall time and peak memory
#   (b) the typst CLI compiling the same Typst sources, one process per document, two at a time
#   (c) in-process Typst alone on the same sources (the floor)
#   (d) a no-op rebuild, and a rebuild after one agreement was edited
# and the ratios b/a and a/c. The typst CLI is installed with cargo if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
n=1000
mixed=()
for arg in "$@"; do
  case $arg in
    --mixed) mixed=(--mixed) ;;
    *) n=$arg ;;
  esac
done
cargo build --release --quiet
bin=$PWD/target/release/avtale
if ! command -v typst >/dev/null 2>&1; then
  echo "installing typst-cli 0.15.1 (once) ..." >&2
  cargo install --locked typst-cli --version 0.15.1 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_agreements.py "$work/in" "$n" "${mixed[@]}"

secs() { python3 -c 'import sys; print(f"{float(sys.argv[1]):.2f}")' "$1"; }
timed() { # prints "seconds peak_kib" of a command
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  cat "$work/time"
}

# (a) on the same footing as (b) and (c): no attachments, no signature fields (both need
# post-processing the CLI cannot do); (a+) is the default build with both.
plain=(--no-attachments --no-signature-fields)
read -r a_s a_kib < <(timed "$bin" build --quiet --force "${plain[@]}" -o "$work/out" "$work/in")
read -r af_s af_kib < <(timed "$bin" build --quiet --force -o "$work/out-full" "$work/in")

# The same agreements as Typst sources, with the templates beside them for the CLI.
mkdir -p "$work/src"
cp -r templates/. "$work/src/"
for f in "$work"/in/*.toml; do
  id=$(basename "$f" .toml)
  "$bin" render --format typst --no-attachments "$f" > "$work/src/$id.typ"
done
b_start=$(date +%s.%N)
ls "$work"/src/avtale-*.typ | xargs -P 2 -I{} typst compile --root "$work/src" --font-path fonts \
  --ignore-system-fonts --pdf-standard a-2a,ua-1 {} >/dev/null 2>&1 || true
b_end=$(date +%s.%N)
b_s=$(python3 -c "print($b_end - $b_start)")
cli_pdfs=$(ls "$work"/src/*.pdf 2>/dev/null | wc -l || true)

cargo bench --quiet --bench floor --no-run 2>/dev/null
c_line=$(cargo bench --quiet --bench floor -- "$work/src" | grep 'in-process')
c_s=$(echo "$c_line" | sed -E 's/.*: ([0-9.]+) s.*/\1/')

read -r d1_s _ < <(timed "$bin" build --quiet "${plain[@]}" -o "$work/out" "$work/in")
inputs=("$work"/in/*.toml)
first=${inputs[0]}
sed -i 's/Beregne redusert foreldrebetaling/Beregne redusert foreldrebetaling og friplass/' "$first"
read -r d2_s _ < <(timed "$bin" build --quiet "${plain[@]}" -o "$work/out" "$work/in")

echo "agreements: $n${mixed:+ (mixed)}, $(nproc) cores"
echo "(a) avtale build:              $(secs "$a_s") s, peak RSS $((a_kib / 1024)) MiB"
echo "(a+) with attachments and signature fields: $(secs "$af_s") s, peak RSS $((af_kib / 1024)) MiB"
echo "(b) typst CLI, 2 processes:    $(secs "$b_s") s ($cli_pdfs PDFs)"
echo "(c) in-process Typst alone:    $(secs "$c_s") s"
echo "(d) no-op rebuild:             $(secs "$d1_s") s; after editing one agreement: $(secs "$d2_s") s"
echo "b/a = $(python3 -c "print(f'{$b_s / $a_s:.2f}')")   a/c = $(python3 -c "print(f'{$a_s / $c_s:.2f}')")"
