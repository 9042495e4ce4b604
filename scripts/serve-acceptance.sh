#!/usr/bin/env bash
# serve-acceptance.sh: the acceptance runs of `segment serve`, against a real server started from bin/segment:
#
#   BASELINE  the offline figure first, with no server running: ServeBaseline, Segmenter.predictAll(images, 8) on
#             the same package, precision and frames (images/s, with and without DICOM decoding in the timed part);
#   LOAD      --clients clients x --requests requests of the real frames to POST /v1/segment (1 % bad: truncated,
#             wrong content type, over --max-body-mb, no token), after --warmup uncounted ones: no failed request,
#             throughput >= 0.9 x the baseline (decoded), server RSS at the end within 10 % of its level after the
#             warm-up, and every request in the access log with the status the client got;
#   SWAP      the same load with `segment promote NAME V2 production` run from another process half-way: no failed
#             request, and the access log, joined with the client's records on request_id, shows which version
#             answered each request (both must have; none answered by the old one once the new one had answered);
#   CRASH     the same load, `kill -9` of the server half-way; the access log must be whole JSON lines only and hold
#             every request the client got a response for; then a restart, timed from launch to the first 200 of
#             GET /v2/health/ready (< 5 s), and a short load on the restarted server.
#
#   scripts/serve-acceptance.sh --out DIR                       # trains two small models itself (1 epoch each)
#   scripts/serve-acceptance.sh --out DIR --registry REG --model cardiac-lv --swap-to 2
#   scripts/serve-acceptance.sh --out DIR --clients 2 --requests 300 --warmup 50   # a quick check
#
# Options (defaults in brackets):
#   --out DIR           where everything goes (required): registry copy, logs, JSON summaries, request records
#   --registry DIR      a registry whose --model has a production version and a second registered, validated
#                       version --swap-to; it is copied into OUT/registry, so the swap does not change it. Without
#                       it, two models are trained for --train-epochs epochs (seeds 1 and 2, patients SCD0000101
#                       and SCD0000201), exported, validated on SCD0000301, registered, and version 1 promoted
#   --model NAME        [cardiac-lv]          --swap-to N   the version promoted during SWAP [2 when built here]
#   --clients N [16]  --requests R [20000]  --warmup W [3000]  --seed S [1]
#   --phase-requests N  the requests of SWAP and CRASH [R]
#                       (the warm-up: at 16 clients the server's native memory, TensorFlow's and the C allocator's,
#                       outside the JVM's own, grows for the first 2,000-3,000 requests and is flat after that; after
#                       only 500 the RSS criterion measured that growth, x1.10, with x1.001 over the second half;
#                       SWAP and CRASH, which measure no memory, warm up with at most 500)
#   --port P [18080]    --precision P [fp32]  --max-body-mb MB [2] (the server's limit; oversized requests send
#                       one byte more)       --train-epochs N [1]   --ready-limit-ms MS [5000]
#   --baseline-images N [448]  --baseline-passes P [5]   the baseline's images per timed pass, and passes
# Environment: MEDSEG_SUNNYBROOK (the data folder; default ../shared/data/sunnybrook beside the repository),
# SERVE_JAVA_OPTS (the server's JVM options; default -Xms256m -Xmx256m -XX:+AlwaysPreTouch: a fixed, pre-touched
# heap, as a service would run, so that the JVM growing its heap is not what the RSS criterion measures),
# TOOL_JAVA_OPTS (the load generator's and baseline's JVM options), SERVE_MVN_OPTS (extra Maven arguments for the
# build of benchmarks/target/benchmarks.jar, e.g. -o), JAVA_HOME.
# Exit 0 when every criterion holds, 3 when one fails, 1 on an error (the message says which step).
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEGMENT="$ROOT/bin/segment"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
DATA="${MEDSEG_SUNNYBROOK:-$(dirname "$ROOT")/shared/data/sunnybrook}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

OUT="" REGISTRY="" MODEL="cardiac-lv" SWAP_TO="" CLIENTS=16 REQUESTS=20000 WARMUP=3000 SEED=1 PORT=18080
PRECISION=fp32 MAX_BODY_MB=2 TRAIN_EPOCHS=1 READY_LIMIT_MS=5000 BASELINE_IMAGES=448 BASELINE_PASSES=5

die() { echo "serve-acceptance: error: $*" >&2; exit 1; }
log() { echo "serve-acceptance: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in -h|--help) sed -n '2,/^set -euo pipefail/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;; esac
  [ $# -ge 2 ] || die "option $1 needs a value (see the header of $0)"
  case "$1" in
    --out) OUT="$2" ;;
    --registry) REGISTRY="$2" ;;
    --model) MODEL="$2" ;;
    --swap-to) SWAP_TO="$2" ;;
    --clients) CLIENTS="$2" ;;
    --requests) REQUESTS="$2" ;;
    --phase-requests) PHASE_REQUESTS="$2" ;;
    --warmup) WARMUP="$2" ;;
    --seed) SEED="$2" ;;
    --port) PORT="$2" ;;
    --precision) PRECISION="$2" ;;
    --max-body-mb) MAX_BODY_MB="$2" ;;
    --train-epochs) TRAIN_EPOCHS="$2" ;;
    --ready-limit-ms) READY_LIMIT_MS="$2" ;;
    --baseline-images) BASELINE_IMAGES="$2" ;;
    --baseline-passes) BASELINE_PASSES="$2" ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift 2
done
[ -n "$OUT" ] || die "--out DIR is required"
[ -d "$DATA/dicoms" ] || die "no Sunnybrook data at $DATA (set MEDSEG_SUNNYBROOK)"
command -v curl >/dev/null || die "curl is needed to poll the server's health"
if [ -n "$REGISTRY" ] && [ -z "$SWAP_TO" ]; then die "--registry needs --swap-to N, the version to promote"; fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
REG="$OUT/registry"
ACCESS="$OUT/access.log"
TOKENS="$OUT/tokens"
URL="http://127.0.0.1:$PORT"
[ -e "$REG" ] && die "$REG exists already: give a new or empty --out"
rm -f "$ACCESS"

# ---- build: bin/segment (which builds the CLI when a source changed), then the load generator's jar (the same
# reactor, so the CLI's jar, just built, is left as it is)
# no class data sharing archive here, so that the first server run (LOAD) records the one the later runs map
SEGMENT_CDS=off "$SEGMENT" --version >/dev/null
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT"/segmentation-*/src "$ROOT"/benchmarks/src "$ROOT"/*/pom.xml \
    -newer "$JAR" -type f -print -quit)" ]; then
  log "building $JAR (mvn package -pl benchmarks -am)..."
  # shellcheck disable=SC2086
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests ${SERVE_MVN_OPTS:-} package -pl benchmarks -am) 1>&2 \
    || die "the build failed; run 'mvn -B -DskipTests package -pl benchmarks -am' in $ROOT to see why"
fi

tool() { # tool CLASS ARGS...: one of the benchmarks' mains
  local cls="$1"; shift
  # shellcheck disable=SC2086
  "$JAVA" ${TOOL_JAVA_OPTS:-} -cp "$JAR" "io.medseg.benchmarks.$cls" "$@"
}

# ---- the models
if [ -n "$REGISTRY" ]; then
  [ -d "$REGISTRY/$MODEL" ] || die "$REGISTRY has no model $MODEL"
  cp -a "$REGISTRY" "$REG"
  FROM="$("$SEGMENT" models --registry "$REG" | awk -v m="$MODEL" '$1 == m && $3 == "production" { print $2 }')"
  [ -n "$FROM" ] || die "$MODEL has no production version in $REGISTRY"
else
  SWAP_TO=2
  for seed in 1 2; do
    log "model $seed of 2: training $TRAIN_EPOCHS epoch(s), exporting, validating, registering..."
    "$SEGMENT" train --data "$DATA" --patients SCD0000101,SCD0000201 --epochs "$TRAIN_EPOCHS" --seed "$seed" \
      --no-tensorboard --out "$OUT/models/run$seed" >"$OUT/models-$seed.log" 2>&1 \
      || die "training failed: $OUT/models-$seed.log"
    "$SEGMENT" export --model "$OUT/models/run$seed" --name "$MODEL" --out "$OUT/models/pkg$seed" \
      >>"$OUT/models-$seed.log" 2>&1 || die "export failed: $OUT/models-$seed.log"
    "$SEGMENT" register "$OUT/models/pkg$seed" --registry "$REG" >>"$OUT/models-$seed.log" 2>&1 \
      || die "register failed: $OUT/models-$seed.log"
    # the gate is not what is tested here: any Dice passes, on the patient the model was not trained on
    "$SEGMENT" validate --model "$REG/$MODEL/$seed/package" --data "$DATA" --patients SCD0000301 --min-dice 0 \
      --samples 5 >>"$OUT/models-$seed.log" 2>&1 || die "validation failed: $OUT/models-$seed.log"
  done
  "$SEGMENT" promote "$MODEL" 1 production --registry "$REG" >>"$OUT/models-1.log" 2>&1 \
    || die "promotion failed: $OUT/models-1.log"
  FROM=1
fi
[ "$FROM" != "$SWAP_TO" ] || die "--swap-to $SWAP_TO is the production version already"
TOKEN="$("$SEGMENT" token --id acceptance --tokens "$TOKENS" 2>/dev/null)"
printf '%s\n' "$TOKEN" >"$OUT/token"
chmod 600 "$OUT/token"
log "registry $REG: $MODEL v$FROM in production, v$SWAP_TO to be promoted during SWAP"

# ---- the server
SERVER_PID=""      # the JVM
SERVER_WRAPPER=""  # what was launched (bin/segment; the JVM itself once bin/segment has exec'd it)
READY_MS=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

java_pid() { # the JVM's pid: the launched process itself, or its java child (bin/segment's first run)
  local p="$1" c
  for _ in $(seq 100); do
    if [[ "$(readlink "/proc/$p/exe" 2>/dev/null)" == */java ]]; then echo "$p"; return 0; fi
    for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
      if [[ "$(readlink "/proc/$c/exe" 2>/dev/null)" == */java ]]; then echo "$c"; return 0; fi
    done
    kill -0 "$p" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

start_server() { # start_server NAME: launches, waits until ready; READY_MS = launch to first 200 of /v2/health/ready
  local name="$1" t0 code
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  SEGMENT_JAVA_OPTS="${SERVE_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch}" "$SEGMENT" serve --registry "$REG" \
    --model "$MODEL" --port "$PORT" --precision "$PRECISION" --tokens "$TOKENS" --access-log "$ACCESS" \
    --max-body-mb "$MAX_BODY_MB" >"$OUT/server-$name.out" 2>"$OUT/server-$name.err" &
  SERVER_WRAPPER=$!
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/v2/health/ready" || true)"
    if [ "$code" = 200 ]; then break; fi
    if ! kill -0 "$SERVER_WRAPPER" 2>/dev/null; then
      tail -n 20 "$OUT/server-$name.err" >&2
      die "the server ($name) exited before it was ready: $OUT/server-$name.err"
    fi
    if [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 300000 ]; then die "the server ($name) was not ready in 300 s"; fi
    sleep 0.05
  done
  READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  SERVER_PID="$(java_pid "$SERVER_WRAPPER")" || die "cannot find the server's JVM (launched as pid $SERVER_WRAPPER)"
  log "server ($name) ready in $READY_MS ms, pid $SERVER_PID"
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_WRAPPER" 2>/dev/null || true
  SERVER_PID="" SERVER_WRAPPER=""
}

VERDICTS=()
FAILED=0
verdict() { # verdict NAME OK DETAIL
  local word=PASS
  [ "$2" = 0 ] || { word=FAIL; FAILED=1; }
  VERDICTS+=("$(printf '%-9s %s  %s' "$1" "$word" "$3")")
}
line_of() { grep '^serve-load: \(PASS\|FAIL\|access log\)' "$1" | tail -n 1 | sed 's/^serve-load: //' || true; }
load() { # load NAME EXTRA-ARGS...: the load generator against the running server; returns its exit code
  local name="$1" rc=0; shift
  tool ServeLoad --url "$URL" --token-file "$OUT/token" --dicoms "$DATA/dicoms" --clients "$CLIENTS" \
    --requests "${PHASE_R:-$REQUESTS}" --seed "$SEED" --max-body-mb "$MAX_BODY_MB" --id-prefix "$name" \
    --records "$OUT/$name-records.csv" --out "$OUT/$name.json" "$@" >/dev/null 2>"$OUT/$name.log" || rc=$?
  cat "$OUT/$name.log" >&2
  return "$rc"
}
check_log() { # check_log NAME --records FILE... EXTRA-ARGS...: the access log against the client's records
  local name="$1" rc=0; shift
  tool ServeLoad --check-access-log "$ACCESS" --out "$OUT/$name.json" "$@" >/dev/null 2>"$OUT/$name.log" || rc=$?
  cat "$OUT/$name.log" >&2
  return "$rc"
}

# SWAP and CRASH measure no memory: a short warm-up will do
SHORT_WARMUP=$(( WARMUP < 500 ? WARMUP : 500 ))

# ---- BASELINE, with no server running
log "BASELINE: Segmenter.predictAll on $MODEL v$FROM, $PRECISION"
tool ServeBaseline --registry "$REG" --model "$MODEL" --precision "$PRECISION" --dicoms "$DATA/dicoms" \
  --images "$BASELINE_IMAGES" --passes "$BASELINE_PASSES" --out "$OUT/baseline.json" >/dev/null \
  2>"$OUT/baseline.log" || { cat "$OUT/baseline.log" >&2; die "the baseline failed"; }
cat "$OUT/baseline.log" >&2
VERDICTS+=("$(printf '%-9s %s  %s' BASELINE "    " \
  "$(grep 'median of' "$OUT/baseline.log" | sed 's/^serve-baseline: //')")")

# ---- LOAD
log "LOAD: $CLIENTS clients, $WARMUP warm-up + $REQUESTS requests"
start_server load
rc=0; load load --warmup "$WARMUP" --server-pid "$SERVER_PID" --baseline "$OUT/baseline.json" || rc=$?
rc2=0; check_log load-log --records "$OUT/load-records.csv" || rc2=$?
stop_server
verdict LOAD "$rc" "$(line_of "$OUT/load.log")"
verdict LOAD-LOG "$rc2" "$(line_of "$OUT/load-log.log")"

# ---- SWAP and CRASH: --phase-requests each (default --requests)
PHASE_R="${PHASE_REQUESTS:-$REQUESTS}"
log "SWAP: the same load, $MODEL v$SWAP_TO promoted half-way"
start_server swap
rc=0; load swap --warmup "$SHORT_WARMUP" \
  --midway-exec "'$SEGMENT' promote '$MODEL' '$SWAP_TO' production --registry '$REG'" || rc=$?
rc2=0; check_log swap-log --records "$OUT/swap-records.csv" --require-versions "$FROM,$SWAP_TO" || rc2=$?
stop_server
verdict SWAP "$rc" "$(line_of "$OUT/swap.log")"
verdict SWAP-LOG "$rc2" "$(line_of "$OUT/swap-log.log")"

# ---- CRASH
log "CRASH: the same load, kill -9 of the server half-way, then a restart"
start_server crash
rc=0; load crash --warmup "$SHORT_WARMUP" --midway-exec "kill -9 $SERVER_PID" --expect-crash || rc=$?
wait "$SERVER_WRAPPER" 2>/dev/null || true
SERVER_PID="" SERVER_WRAPPER=""
verdict CRASH "$rc" "$(line_of "$OUT/crash.log")"
# the log as the killed server left it, before a restart could repair anything
rc=0; check_log crash-log --records "$OUT/crash-records.csv" || rc=$?
verdict CRASH-LOG "$rc" "$(line_of "$OUT/crash-log.log")"
start_server restart
ok=0; [ "$READY_MS" -lt "$READY_LIMIT_MS" ] || ok=1
verdict RESTART "$ok" "launch to ready in $READY_MS ms (limit $READY_LIMIT_MS ms)$(grep -o 'cut off a torn.*' \
  "$OUT/server-restart.err" | sed 's/^/; /' || true)"
rc=0; load after-restart --requests 200 --warmup 0 || rc=$?
rc2=0; check_log after-restart-log --records "$OUT/load-records.csv" --records "$OUT/swap-records.csv" \
  --records "$OUT/crash-records.csv" --records "$OUT/after-restart-records.csv" || rc2=$?
stop_server
verdict AFTER "$rc" "$(line_of "$OUT/after-restart.log")"
verdict WHOLE-LOG "$rc2" "$(line_of "$OUT/after-restart-log.log")"

# ---- summary
echo
echo "segment serve acceptance: $MODEL v$FROM -> v$SWAP_TO, $PRECISION, $CLIENTS clients, $REQUESTS requests," \
  "warm-up $WARMUP ($(nproc) cores)"
for v in "${VERDICTS[@]}"; do echo "$v"; done
echo "files: $OUT (baseline.json, load.json, swap.json, crash.json, *-log.json, *-records.csv, access.log," \
  "server-*.err)"
if [ "$FAILED" = 0 ]; then echo "ALL PASS"; exit 0; else echo "SOME FAILED"; exit 3; fi
