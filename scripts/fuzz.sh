#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (-sanitize=fuzzer,address: coverage-guided, with
# AddressSanitizer and LeakSanitizer) and runs each for a bounded time. Prints, per target, the
# executions libFuzzer reports (stat::number_of_executed_units). Exits non-zero on any crash,
# broken invariant, leak, timeout or out-of-memory, printing the input libFuzzer saved under
# .build-fuzz/artifacts/<target>/ as a hexdump and the command that replays it.
#
# Usage: scripts/fuzz.sh [--seconds N] [--runs N] [--target NAME]... [--jobs N] [--release] [--no-build]
#   --seconds N   run each target for N seconds (default 30: with the build, about 6 minutes)
#   --runs N      run each target for N inputs instead of a time
#   --target NAME only this target (repeatable): marshal, yaml-envelope, compound-filter,
#                 config, stomp-frame, policy
#   --jobs N      targets run at once (default: the number of CPUs, at most 2)
#   --release     optimised build: 2-10x the executions per second, but a clean build takes
#                 over 6 minutes instead of 3.5 (use it for long local runs)
#   --no-build    use the binaries already in .build-fuzz
# Builds go through the shared lock /tmp/chorus-swift.lock and the scratch path .build-fuzz
# (gitignored); the growing working corpus lives in .build-fuzz/corpus/<target>, the seeds in
# Fuzz/Corpus/<target> are only read. Nothing is written into the git tree.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi

# target name → executable in Fuzz/Package.swift
declare -A BINARY=(
  [marshal]=FuzzMarshal
  [yaml-envelope]=FuzzYAMLEnvelope
  [compound-filter]=FuzzCompoundFilter
  [config]=FuzzConfig
  [stomp-frame]=FuzzSTOMPFrame
  [policy]=FuzzPolicy
)
TARGETS=(marshal yaml-envelope compound-filter config stomp-frame policy)

SECONDS_EACH=30
CONFIG=debug
RUNS=""
SELECTED=()
JOBS=$(( $(nproc 2>/dev/null || echo 1) < 2 ? 1 : 2 ))
BUILD=1
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_EACH=${2:?--seconds needs a number}; shift 2 ;;
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --target) SELECTED+=("${2:?--target needs a name}"); shift 2 ;;
    --jobs) JOBS=${2:?--jobs needs a number}; shift 2 ;;
    --release) CONFIG=release; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "$SECONDS_EACH" "$JOBS" ${RUNS:+"$RUNS"}; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${TARGETS[@]}")
for t in "${SELECTED[@]}"; do
  [ -n "${BINARY[$t]:-}" ] || { echo "fuzz.sh: no target '$t'; targets: ${TARGETS[*]}" >&2; exit 2; }
done

SCRATCH=$ROOT/.build-fuzz
mkdir -p "$SCRATCH/logs"

if [ "$BUILD" = 1 ]; then
  echo "== build Fuzz/ ($CONFIG, -sanitize=fuzzer,address) into .build-fuzz"
  # Same dependency versions as the main build when it has resolved them.
  [ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved
  lock=()
  command -v flock >/dev/null && lock=(flock /tmp/chorus-swift.lock)
  started=$(date +%s)
  # SwiftPM's --sanitize instruments C targets (libyaml under Yams, BoringSSL) and links the
  # runtimes; swiftc keeps only its last -sanitize flag, so Swift code gets both in one.
  if ! "${lock[@]}" swift build --package-path Fuzz --scratch-path "$SCRATCH" -c "$CONFIG" \
      --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address >"$SCRATCH/logs/build.log" 2>&1; then
    grep -E "error:" "$SCRATCH/logs/build.log" | head -20
    tail -n 20 "$SCRATCH/logs/build.log"
    echo "== fuzz build FAILED (log: .build-fuzz/logs/build.log)"
    exit 1
  fi
  echo "built in $(( $(date +%s) - started )) s"
fi

# Skips a target whose executable is not in the package (e.g. before its parser exists).
available=()
for t in "${SELECTED[@]}"; do
  if [ -x "$SCRATCH/$CONFIG/${BINARY[$t]}" ]; then available+=("$t")
  else echo "fuzz.sh: target '$t' is not built (no Fuzz/Sources/${BINARY[$t]}?); skipped"; fi
done

# run_target NAME: one libFuzzer run; writes .build-fuzz/logs/NAME.log and NAME.rc
run_target() {
  local t=$1 bin=$SCRATCH/$CONFIG/${BINARY[$1]}
  local work=$SCRATCH/corpus/$t art=$SCRATCH/artifacts/$t log=$SCRATCH/logs/$t.log
  mkdir -p "$work" "$art"
  rm -f "$art"/*
  local bound=(-max_total_time="$SECONDS_EACH") limit=$(( SECONDS_EACH + 120 ))
  if [ -n "$RUNS" ]; then bound=(-runs="$RUNS"); limit=$(( RUNS / 50 + 300 )); fi
  # SWIFT_BACKTRACE: let libFuzzer, not Swift's backtracer, handle a trap (the backtracer
  # can hang under ASan). LSan suppressions: Fuzz/lsan.supp says why each one is there.
  set +e
  SWIFT_BACKTRACE=enable=no \
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS="suppressions=$ROOT/Fuzz/lsan.supp:print_suppressions=0" \
    timeout --kill-after=10 "$limit" "$bin" "$work" "$ROOT/Fuzz/Corpus/$t" "${bound[@]}" \
      -max_len=4096 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
      -detect_leaks=1 -artifact_prefix="$art/" >"$log" 2>&1
  echo $? >"$SCRATCH/logs/$t.rc"
  set -e
}

bound_label="$SECONDS_EACH s"
[ -z "$RUNS" ] || bound_label="$RUNS runs"
echo "== fuzz ${available[*]} ($bound_label each, $JOBS at a time)"
running=0
for t in "${available[@]}"; do
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$(( running - 1 )); fi
  run_target "$t" &
  running=$(( running + 1 ))
done
wait || true

failed=0
total=0
printf '%-16s %14s  %s\n' target executions result
for t in "${available[@]}"; do
  log=$SCRATCH/logs/$t.log
  rc=$(cat "$SCRATCH/logs/$t.rc" 2>/dev/null || echo 1)
  units=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
  units=${units:-0}
  total=$(( total + units ))
  if [ "$rc" = 0 ]; then
    printf '%-16s %14s  %s\n' "$t" "$units" "ok"
  else
    failed=1
    why=$(grep -m1 -oE "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z -]+|fuzz invariant violated.*|Fatal error.*" "$log" || true)
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && why="hung: killed after the time limit"
    printf '%-16s %14s  %s\n' "$t" "$units" "FAILED (exit $rc) ${why}"
  fi
done
echo "total executions: $total"

for t in "${available[@]}"; do
  [ "$(cat "$SCRATCH/logs/$t.rc" 2>/dev/null || echo 1)" = 0 ] && continue
  echo
  echo "== $t failed; log: .build-fuzz/logs/$t.log (last lines below)"
  grep -v -E '^#[0-9]+' "$SCRATCH/logs/$t.log" | tail -n 40
  for input in "$SCRATCH/artifacts/$t"/*; do
    [ -f "$input" ] || continue
    echo "-- input: ${input#"$ROOT"/} ($(wc -c <"$input") bytes)"
    hexdump -C "$input" | head -n 32
    echo "-- replay: SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=suppressions=Fuzz/lsan.supp .build-fuzz/$CONFIG/${BINARY[$t]} ${input#"$ROOT"/}"
    echo "-- minimise: .build-fuzz/$CONFIG/${BINARY[$t]} -minimize_crash=1 -runs=20000 ${input#"$ROOT"/}"
  done
done
[ "$failed" = 0 ] || { echo "== fuzzing FAILED"; exit 1; }
echo "== fuzzing passed: no crash, leak, timeout or out-of-memory"
