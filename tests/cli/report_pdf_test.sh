#!/usr/bin/env bash
# slamon report --format pdf: the HTML report printed by headless Chromium into --output (a PDF whose
# text, read back by pdftotext, names the SLA and shows its verdict and day bars' legend); --output is
# required; without Chromium on the PATH the command says so, exits 1 and writes no file (an existing
# one is left as it was). Skipped (counted) where Chromium or pdftotext is absent.
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
data=$SLAMON_SOURCE_DIR/tests/data/engine
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
report() { "$bin" report --catalogue "$data/worked-example.yaml" --results "$data/worked-example.jsonl" \
  --sla shop-24x7 --period 2026-03-01 "$@"; }

# 1. --format pdf needs --output (usage error, exit 2).
rc=0; report --format pdf > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "pdf without --output: exit $rc, not 2"
grep -q -- "--output FILE" "$tmp/err" || fail "pdf without --output: $(cat "$tmp/err")"

# 2. No Chromium on the PATH: a clear message, exit 1, no file (and an existing file untouched).
nochrome=$tmp/nochrome; mkdir "$nochrome"
rc=0; env -u SLAMON_CHROMIUM PATH="$nochrome" "$bin" report --catalogue "$data/worked-example.yaml" \
  --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --format pdf --output "$tmp/none.pdf" \
  2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "pdf without Chromium: exit $rc, not 1: $(cat "$tmp/err")"
grep -q "Chromium, which is not installed" "$tmp/err" || fail "pdf without Chromium: $(cat "$tmp/err")"
[ ! -e "$tmp/none.pdf" ] || fail "pdf without Chromium wrote $tmp/none.pdf"
echo keep > "$tmp/old.pdf"
env -u SLAMON_CHROMIUM PATH="$nochrome" "$bin" report --catalogue "$data/worked-example.yaml" \
  --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --format pdf --output "$tmp/old.pdf" \
  2> /dev/null && fail "pdf without Chromium succeeded"
[ "$(cat "$tmp/old.pdf")" = keep ] || fail "pdf without Chromium changed an existing file"
# A Chromium that fails: no file either.
printf '#!/bin/sh\necho broken >&2\nexit 3\n' > "$nochrome/chromium"; chmod +x "$nochrome/chromium"
rc=0; PATH="$nochrome" "$bin" report --catalogue "$data/worked-example.yaml" --results "$data/worked-example.jsonl" \
  --sla shop-24x7 --period 2026-03-01 --format pdf --output "$tmp/broken.pdf" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "pdf with a failing Chromium: exit $rc: $(cat "$tmp/err")"
grep -q "did not print the PDF (it failed)" "$tmp/err" && grep -q broken "$tmp/err" || fail "failing Chromium: $(cat "$tmp/err")"
[ ! -e "$tmp/broken.pdf" ] && [ ! -e "$tmp/broken.pdf.part" ] || fail "a failing Chromium left a file"

# 3. --output for the other formats: the same bytes as stdout.
report --format html > "$tmp/stdout.html"
report --format html --output "$tmp/file.html"
cmp -s "$tmp/stdout.html" "$tmp/file.html" || fail "--output html differs from stdout"

# 4. The PDF, through the real Chromium.
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "SKIP: chromium is not installed (scripts/setup.sh): the PDF itself is not checked"; exit 77; }
command -v pdftotext >/dev/null || { echo "SKIP: pdftotext is not installed (poppler-utils, scripts/setup.sh)"; exit 77; }
timeout 150 "$bin" report --catalogue "$data/worked-example.yaml" --results "$data/worked-example.jsonl" \
  --sla shop-24x7 --period 2026-03-01 --format pdf --output "$tmp/r.pdf" 2> "$tmp/err" || fail "pdf: $(cat "$tmp/err")"
[ "$(head -c 4 "$tmp/r.pdf")" = "%PDF" ] || fail "the output does not start with %PDF"
pdftotext "$tmp/r.pdf" "$tmp/r.txt"
grep -q "SLA shop-24x7" "$tmp/r.txt" || fail "the PDF's text does not name the SLA: $(head -20 "$tmp/r.txt")"
grep -q "Verdict: MET" "$tmp/r.txt" || fail "the PDF's text has no verdict"
grep -q "counted down" "$tmp/r.txt" || fail "the PDF's text has no day bar legend"
[ ! -e "$tmp/r.pdf.part" ] || fail "the temporary .part file is left"
echo "PASS: report pdf ($(stat -c %s "$tmp/r.pdf") bytes)"
