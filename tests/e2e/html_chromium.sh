#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium loads a page made from real runs (scripted backends,
# three problems on four GPUs, GPU 2 slower) and renders it to PNG. Passes when Chromium logs no console
# error, the DOM it built holds the expected number of bars and points in each chart, every problem label
# is there, and the PNG was written.
#
#   tests/e2e/html_chromium.sh CONVBENCH_BINARY [PNG]     (PNG: keep the screenshot there)
#
# Exit 77 (skipped, for CTest) when Chromium is not installed (scripts/setup.sh --for-tests installs it).
set -uo pipefail
bin=${1:?usage: html_chromium.sh CONVBENCH_BINARY [PNG]}
keep=${2:-}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "html_chromium: SKIP: chromium is not installed"; exit 77; }
dir=$(mktemp -d /tmp/convbench-html.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "html_chromium: FAILED: $*"; exit 1; }

printf '%s\n' 'mb8ic16ih28oc32kh3ph1' 'mb8ic64ih14oc64kh1' 'mb2ic3ih56oc16kh5' >"$dir/list.txt"
"$bin" --problems "$dir/list.txt" --seed 1 --runs 3 --rounds 1 --debug-fake-backends 4 \
  --debug-fake-gpus 2x2x3x2 --gpu all --format jsonl --quiet --output "$dir/r.jsonl" || fail "the run failed"
"$bin" report "$dir/r.jsonl" --html "$dir/report.html" || fail "report failed"
grep -qE '<script|https?://[^"]*\.(js|css|woff)' "$dir/report.html" && fail "the page is not self-contained"

flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --enable-logging=stderr --v=0
       --user-data-dir="$dir/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$dir/report.html" >"$dir/dom.html" 2>"$dir/dom.log" ||
  fail "chromium could not load the page: $(tail -3 "$dir/dom.log")"
timeout 120 "$browser" "${flags[@]}" --window-size=1000,2400 --screenshot="$dir/report.png" \
  "file://$dir/report.html" >"$dir/shot.log" 2>&1 || fail "chromium could not render the page"
if grep -hiE 'CONSOLE\(|Uncaught|SyntaxError' "$dir/dom.log" "$dir/shot.log"; then fail "console errors"; fi

count() { grep -o "class=\"$1\"" "$dir/dom.html" | wc -l; }
# 3 problems x 4 GPUs = 12 records, each with its CPU and its GPU result.
[ "$(count 'bar cpu')" = 12 ] || fail "medians chart: $(count 'bar cpu') CPU bars, not 12"
[ "$(count 'bar gpu')" = 12 ] || fail "medians chart: $(count 'bar gpu') GPU bars, not 12"
[ "$(count 'point cpu')" = 12 ] || fail "CPU roofline: $(count 'point cpu') points, not 12"
[ "$(count 'point gpu')" = 12 ] || fail "GPU roofline: $(count 'point gpu') points, not 12"
fleet=$(( $(count 'bar fleet') + $(count 'bar fleet straggler') ))
[ "$fleet" = 12 ] || fail "fleet chart: $fleet bars, not 12"
[ "$(count 'bar fleet straggler')" = 3 ] || fail "fleet chart: $(count 'bar fleet straggler') stragglers, not 3 (GPU 2 of each problem)"
for line in 1 2 3; do
  grep -q "list.txt:$line" "$dir/dom.html" || fail "the label list.txt:$line is missing"
done
[ "$(head -c 8 "$dir/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "no PNG written"
[ -n "$keep" ] && cp "$dir/report.png" "$keep"
echo "html_chromium: passed: 24 bars, 24 points, 12 fleet bars (3 stragglers), every label, no console error"
