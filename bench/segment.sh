#!/usr/bin/env bash
# Batch build of a whole segment, measured against the typst CLI and against in-process Typst
# alone, on the same agreements.
#
#   bench/segment.sh [N] [--mixed] [--services 2]   (N agreements, default 1000)
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
# and the ratios b/a and b+/a+. The typst CLI is installed with cargo if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
n=1000
gen=()
label=""
while [ $# -gt 0 ]; do
  case $1 in
    --mixed) gen+=(--mixed); label+=" mixed" ;;
    --services) gen+=(--services "$2"); label+=" services=$2"; shift ;;
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
cli() { # prints the seconds the typst CLI takes over every source, two processes at a time
  local standards=$1 start end
  rm -f "$work"/src/*.pdf
  start=$(date +%s.%N)
  ls "$work"/src/avtale-*.typ | xargs -P 2 -I{} typst compile --root "$work/src" --font-path fonts \
    --ignore-system-fonts --pdf-standard "$standards" {} >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
b_s=$(cli a-2a,ua-1)
bf_s=$(cli a-3a,ua-1)
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

echo "agreements: $n${label}, $(nproc) cores"
echo "(a) avtale build:              $(secs "$a_s") s, peak RSS $((a_kib / 1024)) MiB"
echo "(a+) with the defaults:        $(secs "$af_s") s, peak RSS $((af_kib / 1024)) MiB"
echo "(b) typst CLI, 2 processes:    $(secs "$b_s") s ($cli_pdfs PDFs)"
echo "(b+) typst CLI, PDF/A-3a:      $(secs "$bf_s") s"
echo "(c) floor:                     $(secs "$c_s") s; avtale build (defaults) / floor = $c_ratio"
echo "(d) no-op rebuild:             $(secs "$d1_s") s; after editing one agreement: $(secs "$d2_s") s"
echo "b/a = $(python3 -c "print(f'{$b_s / $a_s:.2f}')")   b+/a+ = $(python3 -c "print(f'{$bf_s / $af_s:.2f}')")"
