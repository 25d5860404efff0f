#!/usr/bin/env bash
# The editor schema in a real editor engine: taplo 0.9 (the engine of the Even Better TOML
# VS Code extension) checks files against schema/avtale.schema.json. The examples in
# agreements/ must be valid; in broken files each mistake must be reported at its own line
# with a message naming the key or value; and `avtale new` output must find the schema
# through its `#:schema` line. (The npm build of the CLI has no language server, so
# completion is not tested here.)
#
#   bash tests/external/taplo.sh
#
# TAPLO_BIN names a taplo 0.9 binary (default: `npm install @taplo/cli@0.7.0`, which is
# taplo 0.9.0, into a throwaway directory). AVTALE_BIN names a built avtale (default:
# target/debug/avtale if it exists; the `avtale new` case is skipped without one);
# AVTALE_SCHEMA another schema file to check (default: schema/avtale.schema.json).
# Needs npm, unless TAPLO_BIN is set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/avtale-taplo.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [ -z "${TAPLO_BIN:-}" ]; then
  npm install --silent --no-save --no-audit --no-fund --prefix "$tmp/npm" '@taplo/cli@0.7.0' >/dev/null
  TAPLO_BIN="$tmp/npm/node_modules/.bin/taplo"
fi
version="$("$TAPLO_BIN" --version || true)" # the npm build exits 1 after printing it
case "$version" in
  "taplo 0.9."*) ;;
  *) echo "taplo.sh: expected taplo 0.9, got: $version" >&2; exit 2 ;;
esac
AVTALE_BIN="${AVTALE_BIN:-$root/${CARGO_TARGET_DIR:-target}/debug/avtale}"
schema_file="${AVTALE_SCHEMA:-$root/schema/avtale.schema.json}"
schema="file://$schema_file"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1" >&2; }

# taplo check FILE... with the schema; prints "LINE<TAB>MESSAGE" for every reported range.
# Extra taplo options come before `--`.
diagnostics() {
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  (cd "$tmp" && RUST_LOG=error "$TAPLO_BIN" check --colors never "${opts[@]}" "$@" 2>&1 || true) |
    awk '/^error: / { msg = substr($0, 8); next }
         /┌─ / && msg != "" { n = split($NF, p, ":"); print p[n-1] "\t" msg }'
}

# expect NAME FILE LINE REGEX: taplo reports an error at LINE whose message matches REGEX
# (an extended regular expression), and no error is the old "oneOf" dump.
expect() {
  local name="$1" file="$2" line="$3" regex="$4" out
  out="$(diagnostics --schema "$schema" -- "$file")"
  if printf '%s\n' "$out" | grep -q "oneOf"; then
    fail "$name: an error about the root oneOf"
  elif printf '%s\n' "$out" | awk -F'\t' -v l="$line" '$1 == l' | cut -f2- | grep -Eq -- "$regex"; then
    pass "$name (line $line)"
  else
    fail "$name: no error matching /$regex/ at line $line; taplo said:"
    printf '%s\n' "$out" | sort -u -t$'\t' -k2 | head -20 >&2
  fi
}

# line_of FILE TEXT: the first line number of FILE that contains TEXT.
line_of() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }

# ---------------------------------------------------------------------------------------
# The examples are valid, through the repository's .taplo.toml and with the schema named.

out="$(cd "$root" && RUST_LOG=error "$TAPLO_BIN" check --colors never 'agreements/**/*.toml' 2>&1)" &&
  pass "agreements/ is valid through .taplo.toml" ||
  { fail "agreements/ through .taplo.toml:"; printf '%s\n' "$out" | head -20 >&2; }
mapfile -t examples < <(find "$root/agreements" -name '*.toml' | sort)
out="$(cd "$tmp" && RUST_LOG=error "$TAPLO_BIN" check --colors never --schema "$schema" "${examples[@]}" 2>&1)" &&
  pass "agreements/ is valid with --schema (${#examples[@]} files)" ||
  { fail "agreements/ with --schema:"; printf '%s\n' "$out" | head -20 >&2; }

# A .taplo.toml that maps the schema to agreements/ really applies it: a broken copy there
# is reported.
mkdir -p "$tmp/repo/agreements" "$tmp/repo/schema"
cp "$schema_file" "$tmp/repo/schema/avtale.schema.json"
cp "$root/.taplo.toml" "$tmp/repo/"
sed 's/^status = "utkast"/status = "klar"/' "$root/agreements/nordlys-sparebank.toml" >"$tmp/repo/agreements/a.toml"
if (cd "$tmp/repo" && RUST_LOG=error "$TAPLO_BIN" check --colors never 'agreements/**/*.toml' 2>&1 || true) |
  grep -q '"klar" is not one of'; then
  pass ".taplo.toml applies the schema to agreements/"
else
  fail ".taplo.toml does not apply the schema to agreements/"
fi

# ---------------------------------------------------------------------------------------
# Broken agreement files.

base="$tmp/base.toml"
cat >"$base" <<'EOF'
format = 1

[avtale]
id = "KA-2026-0100"
spraak = "nn"
status = "utkast"
dato = 2026-01-20
testdata = true

[virksomhet]
navn = "Eksempel Sparebank ASA"
organisasjonsnummer = "315881390"
organisasjonsform = "ASA"
postadresse = { adresse = "Storgata 14", postnummer = "9008", poststed = "Tromsø" }
varslingsadresse = "varsel@eksempel.example"

[[kontakt]]
rolle = "forretning"
navn = "Marte Isaksen"
epost = "marte.isaksen@eksempel.example"

[[kontakt]]
rolle = "teknisk"
navn = "Jonas Mikkelsen"
epost = "jonas.mikkelsen@eksempel.example"
telefon = "+47 971 22 840"

[[signatar]]
navn = "Ellen Lyng"
tittel = "Styreleder"
fullmakt = "signaturrett"

[vilkaar]
delingsvilkaar = "2022-05"

[[tjeneste]]
id = "inntekt"
rettighetspakke = "sbl"
bruksvilkaar = "2024-09"
formaal = "Kredittvurdering av personkunder som søker boliglån, med kundens samtykke"
retur_url = ["https://nettbank.eksempel.example/samtykke/retur"]
utleveringsgrunnlag = { type = "samtykke", henvisning = "skatteforvaltningsloven § 3-7" }
behandlingsgrunnlag = { type = "samtykke", henvisning = "personvernforordningen artikkel 6 nr. 1 a" }

[[tjeneste]]
id = "folkeregisteret"
rettighetspakke = "offentligmedhjemmel"
bruksvilkaar = "2024-09"
formaal = "Kontrollere identitet og adresse for kunder som søker lån"
utleveringsgrunnlag = { type = "hjemmel", henvisning = "folkeregisterloven § 10-2", egen_hjemmel = "finansforetaksloven § 16-1" }
behandlingsgrunnlag = { type = "lov", henvisning = "hvitvaskingsloven § 12" }
EOF
out="$(cd "$tmp" && RUST_LOG=error "$TAPLO_BIN" check --colors never --schema "$schema" "$base" 2>&1)" &&
  pass "the base agreement is valid" || { fail "the base agreement is not valid:"; printf '%s\n' "$out" | head -20 >&2; }

# broken NAME 'SED SCRIPT': a copy of the base agreement with one change.
broken() {
  local f="$tmp/$1.toml"
  sed -e "$2" "$base" >"$f"
  if cmp -s "$f" "$base"; then echo "taplo.sh: the change for $1 changed nothing" >&2; exit 2; fi
  printf '%s' "$f"
}

# The issue's case: a misspelt key and a wrong enumeration value in one file are two
# errors, each at its own line.
f="$(broken two 's/^organisasjonsnummer = /organisasjonsnumer = /; s/^status = "utkast"/status = "klar"/')"
expect "misspelt key in [virksomhet]" "$f" "$(line_of "$f" organisasjonsnumer)" "'organisasjonsnumer' was unexpected"
expect "wrong status" "$f" "$(line_of "$f" '"klar"')" '"klar" is not one of \["utkast","til_signering","signert"\]'

f="$(broken table 's/^\[virksomhet\]/[virksomheten]/')"
expect "misspelt table" "$f" "$(line_of "$f" '[virksomheten]')" "'virksomheten' was unexpected"

f="$(broken kontakt 's/^epost = "marte/e_post = "marte/')"
expect "misspelt key in [[kontakt]]" "$f" "$(line_of "$f" e_post)" "'e_post' was unexpected"

f="$(broken nested 's/utleveringsgrunnlag = { type = "samtykke", henvisning/utleveringsgrunnlag = { type = "samtykke", henvising/')"
expect "misspelt key in an inline table" "$f" "$(line_of "$f" henvising)" "'henvising' was unexpected"

f="$(broken spraak 's/^spraak = "nn"/spraak = "no"/')"
expect "wrong language" "$f" "$(line_of "$f" 'spraak = "no"')" '"no" is not one of \["nb","nn","en"\]'

f="$(broken rolle 's/^rolle = "teknisk"/rolle = "tekniker"/')"
expect "wrong contact role" "$f" "$(line_of "$f" tekniker)" '"tekniker" is not one of'

f="$(broken service 's/^id = "inntekt"/id = "inntekter"/')"
expect "unknown service id" "$f" "$(line_of "$f" '"inntekter"')" '"inntekter" is not one of \[.*"inntekt".*\]'

f="$(broken package 's/^rettighetspakke = "sbl"/rettighetspakke = "kommuneforeldrebetaling"/')"
expect "rights package of another service" "$f" "$(line_of "$f" kommuneforeldrebetaling)" \
  '"kommuneforeldrebetaling" is not one of \["sbl","otp",'

f="$(broken terms 's/^bruksvilkaar = "2024-09"/bruksvilkaar = "2023-06"/')"
expect "terms version of another document" "$f" "$(line_of "$f" '"2023-06"')" '"2023-06" is not one of \["2024-09","2023-01"\]'

f="$(broken withdrawn '/^id = "folkeregisteret"/,$ s/^bruksvilkaar = "2024-09"/bruksvilkaar = "2019-01"/')"
expect "withdrawn terms version" "$f" "$(line_of "$f" '"2019-01"')" '"2019-01" is not one of \["2024-09","2023-06"\]'

f="$(broken vilkaar 's/^delingsvilkaar = "2022-05"/delingsvilkaar = "2022-06"/')"
expect "unknown delingsvilkår version" "$f" "$(line_of "$f" '"2022-06"')" '"2022-06" is not one of \["2022-05","2020-06"\]'

f="$(broken basis 's/utleveringsgrunnlag = { type = "samtykke"/utleveringsgrunnlag = { type = "hjemmel"/')"
expect "disclosure basis the package does not allow" "$f" "$(line_of "$f" 'type = "hjemmel", henvisning = "skatteforvaltningsloven')" \
  '"hjemmel" is not one of \["samtykke"\]'

f="$(broken consent '/^retur_url/d')"
expect "consent package without retur_url" "$f" "$(line_of "$f" 'rettighetspakke = "sbl"')" '"retur_url" is a required property'

f="$(broken own_statute 's/, egen_hjemmel = "finansforetaksloven § 16-1"//')"
expect "package that needs egen_hjemmel" "$f" "$(line_of "$f" 'folkeregisterloven § 10-2')" '"egen_hjemmel" is a required property'

f="$(broken medlemmer '1a medlemmer = "kommuner.csv"')"
expect "members in an agreement file" "$f" 2 "'medlemmer' was unexpected"

# ---------------------------------------------------------------------------------------
# Broken segment files.

seg="$tmp/segment.toml"
cat >"$seg" <<'EOF'
format = 1
medlemmer = "kommuner.csv"

[segment]
id = "kommunal-sektor"
ansvarlig = { navn = "Kommunenes Delingsforum SA", organisasjonsnummer = "317041128" }

[felles.avtale]
status = "utkast"
dato = 2026-03-02

[felles.vilkaar]
delingsvilkaar = "2022-05"

[[felles.tjeneste]]
id = "summertskattegrunnlag"
rettighetspakke = "kommuneforeldrebetaling"
bruksvilkaar = "2024-09"
formaal = "Beregne redusert foreldrebetaling i barnehage og SFO"
utleveringsgrunnlag = { type = "hjemmel", henvisning = "skatteforvaltningsloven § 3-3" }
behandlingsgrunnlag = { type = "lov", henvisning = "barnehageloven § 41" }
EOF
out="$(cd "$tmp" && RUST_LOG=error "$TAPLO_BIN" check --colors never --schema "$schema" "$seg" 2>&1)" &&
  pass "the base segment file is valid" || { fail "the base segment file is not valid:"; printf '%s\n' "$out" | head -20 >&2; }
segment() {
  local f="$tmp/$1.toml"
  sed -e "$2" "$seg" >"$f"
  printf '%s' "$f"
}
f="$(segment seg_key 's/^status = "utkast"/statuss = "utkast"/; s/^rettighetspakke = .*/rettighetspakke = "sbl2"/')"
expect "misspelt key in [felles.avtale]" "$f" "$(line_of "$f" statuss)" "'statuss' was unexpected"
expect "unknown rights package in [[felles.tjeneste]]" "$f" "$(line_of "$f" sbl2)" '"sbl2" is not one of'
f="$(segment seg_avtale '$a [avtale]\nid = "KA-1"')"
expect "[avtale] in a segment file" "$f" "$(line_of "$f" '[avtale]')" "'avtale' was unexpected"
f="$(segment seg_both '$a [[medlem]]\navtale = { id = "KA-1" }')"
expect "both medlemmer and [[medlem]]" "$f" "$(line_of "$f" '[[medlem]]')" "'medlem' was unexpected"
f="$(segment seg_none '/^medlemmer/d')"
expect "neither medlemmer nor [[medlem]]" "$f" 1 '"medlem" is a required property'

# ---------------------------------------------------------------------------------------
# `avtale new` writes a `#:schema` line that taplo follows from agreements/.

if [ -x "$AVTALE_BIN" ]; then
  "$AVTALE_BIN" new --orgnr 974760673 --navn "Eksempel AS" --dato 2026-05-12 -o "$tmp/repo/agreements/ny.toml" >/dev/null 2>&1
  f="$tmp/repo/agreements/ny.toml"
  if head -1 "$f" | grep -q '^#:schema ../schema/avtale.schema.json$'; then
    pass "avtale new writes the #:schema line"
  else
    fail "avtale new: first line is $(head -1 "$f")"
  fi
  # No --schema and no .taplo.toml in reach: the directive alone must bring in the schema,
  # which rejects the FYLL UT placeholders.
  rm "$tmp/repo/.taplo.toml" "$tmp/repo/agreements/a.toml"
  out="$(cd "$tmp/repo/agreements" && RUST_LOG=error "$TAPLO_BIN" check --colors never ny.toml 2>&1 || true)"
  line="$(line_of "$f" 'varslingsadresse = ')"
  if printf '%s\n' "$out" | grep -A1 '"FYLL UT: e-postadresse for varsler" does not match' | grep -q "ny.toml:$line:"; then
    pass "taplo follows the #:schema line of avtale new (line $line)"
  else
    fail "taplo did not check avtale new output against the schema:"
    printf '%s\n' "$out" | head -20 >&2
  fi
else
  echo "skip avtale new: no avtale binary at $AVTALE_BIN (set AVTALE_BIN)"
fi

echo "taplo: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
