#!/usr/bin/env bash
# Side-by-side intake benchmark, all in one run on this machine, with Vigil's own load generator:
#   Vigil (`vigil serve`, fsync before 202)  vs  the Go reference (go-ingest, no disk)  vs  nginx
#   answering 204 (the HTTP floor).
# Builds the release preset and the Go reference, starts the three servers on free ports, runs the
# scenarios, and writes a Markdown table between <!-- bench:begin --> and <!-- bench:end --> in
# docs/benchmarks.md (created when missing), with the machine and the exact commands.
#
# usage: scripts/bench.sh [options]
#   --only-references     benchmark nginx and Go only (no Vigil server)
#   --no-build            use the binaries already built (build/release, build/go)
#   --duration D          measured time per run (default 10s)
#   --warmup D            warm-up per run (default 2s)
#   --connections N       connections per run (default 64)
#   --overload-connections N  connections (and devices) of the overload runs (default 256): more
#                         than shedding.min_in_flight, or the server can never be over its limit
#   --loadgen-threads N   load generator threads (default 1; it shares the CPUs with the server)
#   --output FILE         Markdown file to update (default docs/benchmarks.md)
# environment:
#   VIGIL_GO_PEER   Go reference source folder (default /work/shared/peers/go-ingest)
#   VIGIL_LOADGEN   load generator command (default: "<build>/src/vigil loadgen")
#   NGINX           nginx binary (default /usr/sbin/nginx)
#
# Needs: cmake, ninja, g++, Debian's golang-go and nginx, curl, jq, ss. No network access.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-vigil-config.sh
source "$repo/scripts/bench-vigil-config.sh"
build="$repo/build/release"
go_peer=${VIGIL_GO_PEER:-/work/shared/peers/go-ingest}
nginx_bin=${NGINX:-/usr/sbin/nginx}
only_references=0
do_build=1
duration=10s
warmup=2s
connections=64
overload_connections=256
lg_threads=1
output="$repo/docs/benchmarks.md"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --only-references) only_references=1 ;;
    --no-build) do_build=0 ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --overload-connections) overload_connections=$2; shift ;;
    --loadgen-threads) lg_threads=$2; shift ;;
    --output) output=$2; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in curl jq ss go "$nginx_bin"; do
  command -v "$tool" >/dev/null || { echo "bench.sh: '$tool' not found" >&2; exit 2; }
done

log() { printf '[bench] %s\n' "$*" >&2; }

# --- cleanup: every server we start is stopped on any exit -----------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    log "failed (status $status); server logs:"
    for f in "$work"/*.log "$work"/nginx/error.log; do
      [[ -s $f ]] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# wait_healthy NAME URL PID: until GET URL/healthz answers 200, for at most 30 s.
wait_healthy() {
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { echo "bench.sh: $name exited during start-up" >&2; return 1; }
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true) == 200 ]]; then
      log "$name is up at $url (pid $pid)"
      return 0
    fi
    sleep 0.1
  done
  echo "bench.sh: $name did not become healthy at $url within 30 s" >&2
  return 1
}

# --- (a) build ----------------------------------------------------------------------------------
if [[ $do_build -eq 1 ]]; then
  log "building the release preset"
  (cd "$repo" && cmake --preset release >/dev/null && cmake --build --preset release)
fi

# --- (b) Go reference: built offline, caches inside build/ ----------------------------------
go_out="$repo/build/go"
go_bin="$go_out/go-ingest"
if [[ $do_build -eq 1 || ! -x $go_bin ]]; then
  log "building the Go reference from $go_peer"
  mkdir -p "$go_out/cache" "$go_out/path"
  (cd "$go_peer" && GOCACHE="$go_out/cache" GOPATH="$go_out/path" GOFLAGS=-mod=mod GOPROXY=off \
    GOTOOLCHAIN=local go build -o "$go_bin" .)
fi

if [[ -n ${VIGIL_LOADGEN:-} ]]; then
  read -r -a loadgen <<<"$VIGIL_LOADGEN"
else
  loadgen=("$build/src/vigil" loadgen)
fi
[[ -x ${loadgen[0]} ]] || { echo "bench.sh: load generator '${loadgen[0]}' not built" >&2; exit 2; }

# --- (c) servers --------------------------------------------------------------------------------
# Each start_* function starts one server in the background on PORT and sets $started to its pid
# (no command substitution: the server must stay a child of this shell so that cleanup can wait).
start_nginx() {
  local port=$1 dir="$work/nginx"
  mkdir -p "$dir"
  sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$dir|g" -e "s|@WORKERS@|2|g" \
    "$repo/bench/nginx.conf.in" >"$dir/nginx.conf"
  "$nginx_bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$work/nginx.log" 2>&1 &
  started=$!
}

start_go() {
  local port=$1
  "$go_bin" -addr "127.0.0.1:$port" -workers 10 >"$work/go.log" 2>&1 &
  started=$!
}

# ============================================================================================
# VIGIL SERVER START-UP: how `vigil serve` is started; its configuration is
# scripts/bench-vigil-config.sh (shared with scripts/cpu-per-record.sh).
# ============================================================================================
start_vigil() {
  local port=$1 dir="$work/vigil"
  mkdir -p "$dir/data"
  bench_vigil_config "$port" "$dir" "$repo" >"$dir/vigil.yaml"  # scripts/bench-vigil-config.sh
  "$build/src/vigil" serve --config "$dir/vigil.yaml" >"$work/vigil.log" 2>&1 &
  started=$!
}
# ============================================================================================

declare -A url
targets=()
launch() {  # launch NAME: start_NAME on a free port, then wait until it is healthy
  local name=$1 port
  port=$(bench_free_port)  # scripts/bench-vigil-config.sh
  "start_$name" "$port"
  pids+=("$started")
  url[$name]="http://127.0.0.1:$port"
  wait_healthy "$name" "${url[$name]}" "$started"
  targets+=("$name")
}
if [[ $only_references -eq 0 ]]; then
  [[ -x $build/src/vigil ]] || { echo "bench.sh: $build/src/vigil not built" >&2; exit 2; }
  launch vigil
fi
launch go
launch nginx

# --- (d) credentials ------------------------------------------------------------------------
# Every Vigil route but the health checks needs credentials: one registered wearable (API key)
# per connection, each posting its own patient's readings, as devices do in production. The same
# file drives the Go reference and nginx, so every target gets the same requests.
credentials="$work/devices.txt"
: >"$credentials"
# register_devices FIRST LAST FILE: wearables bench-FIRST..bench-LAST, one patient each (spread over
# the five sites), appended to FILE as '<patient> <api key>' lines.
# register_device SERIAL PATIENT: prints the new device's API key, or nothing when the server
# would not register it. A refusal that says to retry (429 past the admin group's rate limit, 503
# while the shedder is still cooling off after an overload run) is retried after its Retry-After.
register_device() {
  local attempt answer status
  for attempt in $(seq 1 30); do
    answer=$(curl -s -w '\n%{http_code}' -X POST "${url[vigil]}/v1/devices" -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' \
      -d "{\"serial\":\"$1\",\"type\":\"wearable\",\"patient_id\":\"$2\"}" || true)
    status=${answer##*$'\n'}
    if [[ $status == 201 ]]; then
      jq -r .api_key <<<"${answer%$'\n'*}"
      return 0
    fi
    [[ $status == 429 || $status == 503 ]] || return 0
    sleep 1
  done
}
register_devices() {
  local i patient key
  for i in $(seq "$1" "$2"); do
    patient=$(printf 'DEMO-S%02d-%04d' $((1 + (i - 1) % 5)) $((1 + (i - 1) / 5)))
    key=$(register_device "bench-$i" "$patient")
    [[ $key == vk_* ]] || { echo "bench.sh: could not register a device for $patient" >&2; exit 1; }
    echo "$patient $key" >>"$3"
  done
}
if [[ $only_references -eq 0 ]]; then
  admin=$("$build/src/vigil" token issue --config "$work/vigil/vigil.yaml" --role admin --sub bench --ttl 2h)
  register_devices 1 "$connections" "$credentials"
  log "registered $connections devices"
  # The overload runs need many more requests in flight than the shedder's floor
  # (shedding.min_in_flight, 64), each connection with its own device so that the per-device rate
  # limit is not what refuses them.
  overload_credentials="$work/overload-devices.txt"
  cp "$credentials" "$overload_credentials"
  register_devices $((connections + 1)) "$overload_connections" "$overload_credentials"
  log "registered $((overload_connections - connections)) more devices for the overload runs"
else
  for i in $(seq 1 "$connections"); do
    printf 'DEMO-S%02d-%04d Bearer reference-%d\n' $((1 + (i - 1) % 5)) $((1 + (i - 1) / 5)) "$i" >>"$credentials"
  done
fi

# --- (e) load -------------------------------------------------------------------------------
mkdir -p "$work/results"
commands=()
# run_load KEY TARGET ARGS...: one loadgen run; its JSON line goes to results/KEY.json.
run_load() {
  local key=$1 target=$2; shift 2
  local creds=(--credentials "$credentials") conns=(--connections "$connections")
  [[ " $* " == *" --credentials "* ]] && creds=()
  [[ " $* " == *" --connections "* ]] && conns=()
  local args=(--url "${url[$target]}" "${conns[@]}" --threads "$lg_threads"
    --duration "$duration" --warmup "$warmup" "${creds[@]}" --json "$@")
  local shown="${loadgen[*]/#$repo\//} ${args[*]}"
  # Never write a credential into the console log or the report.
  [[ -n ${admin:-} ]] && shown=${shown//$admin/\$ADMIN_TOKEN}
  log "$key: $shown"
  commands+=("$shown   # $target")
  # Each Vigil run starts with the pipeline caught up, so that no run pays for the previous one's
  # backlog (after batch100 the pipeline scores for seconds, on the same two cores).
  if [[ $target == vigil ]]; then
    local waited=0
    until [[ $(curl -sf "${url[vigil]}/readyz" | jq -r .processing_lag 2>/dev/null) == 0 ]] || ((waited >= 600)); do
      sleep 0.1
      waited=$((waited + 1))
    done
  fi
  "${loadgen[@]}" "${args[@]}" >"$work/results/$key.json"
}
field() { jq -r "$2" "$work/results/$1.json" 2>/dev/null || echo ""; }

for t in "${targets[@]}"; do run_load "single-$t" "$t" --scenario single --mode closed; done
for t in "${targets[@]}"; do
  [[ $t == nginx ]] && continue
  run_load "batch-$t" "$t" --scenario batch100 --mode closed
done
# ePRO answers and mixed traffic (90 % single readings, 10 % GET /v1/alerts with a staff token):
# the Go reference has neither route, so these compare with nginx only.
for t in "${targets[@]}"; do
  [[ $t == go ]] && continue
  run_load "epro-$t" "$t" --scenario epro --mode closed
  run_load "mixed-$t" "$t" --scenario mixed --mode closed --header "Authorization: Bearer ${admin:-none}"
done
# Open loop at half the measured ceiling: the latency a well-provisioned deployment would see.
base=$([[ $only_references -eq 0 ]] && echo vigil || echo go)
max=$(field "single-$base" '.acknowledged_per_s')
[[ $max =~ ^[0-9]+$ && $max -ge 2 ]] || { echo "bench.sh: $base measured no throughput; nothing to pace" >&2; exit 1; }
rate=$(((max + 1) / 2))
for t in "${targets[@]}"; do run_load "open-$t" "$t" --scenario single --mode open --rate "$rate"; done

overload_factors=(1 2 3)
if [[ $only_references -eq 0 ]]; then
  # Overload curve: offered load at 1x, 2x and 3x the measured ceiling. The server must keep
  # answering: accepted requests keep a bounded p99, the rest are refused fast (429/503).
  for f in "${overload_factors[@]}"; do
    run_load "overload-$f-vigil" vigil --scenario single --mode open --rate $((max * f)) \
      --connections "$overload_connections" --credentials "$overload_credentials"
  done
  # Recovery: right after 3x, half the ceiling again must be served in full.
  run_load "recovery-vigil" vigil --scenario single --mode open --rate "$rate" \
    --connections "$overload_connections" --credentials "$overload_credentials"

  # Ingest to alert: 1% of readings must alert (heart rate above the protocol's 130/min); their
  # alerts are timed on the SSE stream. One fresh patient per alerting reading.
  alert_rate=$(( rate < 10000 ? rate : 10000 ))
  alert_patients="$work/alert-devices.txt"
  : >"$alert_patients"
  needed=$(awk -v r="$alert_rate" -v d="${duration%s}" 'BEGIN { n = int(r * 0.01 * (d + 0) * 1.2) + 10; print (n > 1500 ? 1500 : n) }')
  for i in $(seq 1 "$needed"); do
    patient=$(printf 'DEMO-S%02d-%04d' $((1 + (i - 1) % 5)) $((1 + (connections + i - 1) / 5 + 20)))
    key=$(register_device "alert-$i" "$patient")
    if [[ $key == vk_* ]]; then echo "$patient $key" >>"$alert_patients"; fi
  done
  run_load "alert-vigil" vigil --scenario alert-latency --mode open --rate "$alert_rate" --alert-fraction 0.01 \
    --credentials "$alert_patients" --stream-header "Authorization: Bearer $admin"
  # Resident memory of the server after every run (2,000 enrolled patients in the demo trial).
  metrics=$(curl -sf "${url[vigil]}/metrics" -H "Authorization: Bearer $admin")
  rss=$(awk '$1 == "process_resident_memory_bytes" { printf "%.0f", $2 / 1048576 }' <<<"$metrics")
  # The server's own account of every answer to the intake route and of every refusal by reason,
  # so that a 503 in the tables can be told apart (shed, cap, full intake queue, storage).
  answers=$(awk -F'[{}]' '$1 == "vigil_http_requests_total" && $2 ~ /route="\/v1\/observations"/ {
      match($2, /code="[0-9]+"/); code = substr($2, RSTART + 6, 3); split($3, v, " "); n[code] += v[1] }
    END { for (c in n) printf "%s%s %d", (k++ ? ", " : ""), c, n[c] }' <<<"$metrics")
  # The disk's share of every intake answer: one write + fdatasync per group commit.
  commits=$(awk '$1 == "vigil_log_commit_seconds_count" { n = $2 } $1 == "vigil_log_commit_seconds_sum" { sum = $2 }
    $1 == "vigil_log_commit_seconds_bucket{le=\"0.001\"}" { b1 = $2 } $1 == "vigil_log_commit_seconds_bucket{le=\"0.005\"}" { b5 = $2 }
    END { if (n > 0) printf "%d, mean %.3f ms, %.1f%% over 1 ms, %.1f%% over 5 ms", n, sum * 1000 / n, (n - b1) * 100 / n, (n - b5) * 100 / n }' <<<"$metrics")
  refusals=$(awk -F'[{}]' '$1 == "vigil_http_refused_total" { split($3, v, " "); if (v[1] > 0) {
      match($2, /reason="[^"]+"/); printf "%s%s %d", (k++ ? ", " : ""), substr($2, RSTART + 8, RLENGTH - 9), v[1] } }
    END { if (!k) printf "none" }' <<<"$metrics")
fi

# --- (f) report -------------------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { if (us == "") print "-"; else printf "%.2f", us / 1000 }'; }
num() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.0f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
cell() {  # cell KEY JQ FORMAT: a formatted figure, or "-" when that run did not happen
  local key=$1 expr=$2 fmt=$3
  [[ -f $work/results/$key.json ]] || { echo "-"; return; }
  "$fmt" "$(field "$key" "$expr")"
}
raw() { [[ -f $work/results/$1.json ]] && field "$1" "$2" || echo ""; }
row() {  # row LABEL PREFIX JQ FORMAT
  local label=$1 prefix=$2 expr=$3 fmt=$4
  local v g n
  v=$(raw "$prefix-vigil" "$expr"); g=$(raw "$prefix-go" "$expr"); n=$(raw "$prefix-nginx" "$expr")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" \
    "$(cell "$prefix-vigil" "$expr" "$fmt")" "$(cell "$prefix-go" "$expr" "$fmt")" \
    "$(cell "$prefix-nginx" "$expr" "$fmt")" "$(ratio "$v" "$g")" "$(ratio "$v" "$n")"
}
status_cell() {
  [[ -f $work/results/$1.json ]] || { echo "-"; return; }
  field "$1" '"\(.status["2xx"]) / \(.status["429"] + .status["503"]) / \(.status.other + .status.errors + .status.timeouts) / \(.unsent)"'
}

cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
[[ -n $cpu_model ]] || cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
section="$work/section.md"
{
  echo "<!-- bench:begin -->"
  echo "Generated by \`scripts/bench.sh$([[ $only_references -eq 1 ]] && echo ' --only-references')\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Machine: $(nproc) CPUs ($cpu_model), Linux $(uname -r); the load generator runs on the same"
  echo "machine ($lg_threads thread), so every server shares the CPUs with its client."
  echo "Versions: $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), $(go version | awk '{print $3}'), $(g++ --version | head -n1)."
  echo
  echo "Each run: $connections keep-alive connections, $warmup warm-up, then $duration measured."
  echo "Latency is from the intended send time (open loop, coordinated-omission corrected) or the send"
  echo "(closed loop) to the complete answer. Ratios are Vigil / other: above 1 is better for"
  echo "throughput, below 1 is better for latency."
  [[ $only_references -eq 1 ]] && { echo; echo "**Vigil was not measured in this run (\`--only-references\`); the open-loop rate is half of Go's ceiling.**"; }
  echo
  echo "| Figure | Vigil | Go reference | nginx 204 | Vigil/Go | Vigil/nginx |"
  echo "|---|---:|---:|---:|---:|---:|"
  row "single, closed loop: acknowledged requests/s" single '.acknowledged_per_s' num
  row "single, closed loop: p50 ms" single '.latency_us.p50' ms
  row "single, closed loop: p99 ms" single '.latency_us.p99' ms
  row "batch100, closed loop: acknowledged observations/s" batch '.observations_per_s' num
  row "batch100, closed loop: p99 ms" batch '.latency_us.p99' ms
  row "ePRO answers, closed loop: acknowledged requests/s" epro '.acknowledged_per_s' num
  row "ePRO answers, closed loop: p99 ms" epro '.latency_us.p99' ms
  row "mixed (90 % single, 10 % GET /v1/alerts), closed loop: 2xx requests/s" mixed '.acknowledged_per_s' num
  row "mixed, closed loop: p99 ms" mixed '.latency_us.p99' ms
  row "single, open loop at $rate req/s: p50 ms" open '.latency_us.p50' ms
  row "single, open loop at $rate req/s: p99 ms" open '.latency_us.p99' ms
  row "single, open loop at $rate req/s: p99.9 ms" open '.latency_us.p999' ms
  row "single, open loop at $rate req/s: max ms" open '.latency_us.max' ms
  printf '| single, open loop: 2xx / 429+503 / failed / unsent | %s | %s | %s | | |\n' \
    "$(status_cell open-vigil)" "$(status_cell open-go)" "$(status_cell open-nginx)"
  if [[ $only_references -eq 0 ]]; then
    echo
    echo "Overload (Vigil only, single observations, open loop, $overload_connections connections each with its own device;"
    echo "the ceiling is the closed-loop figure above). With every connection busy, further slots wait"
    echo "in the generator, so two clocks are shown: the server's (first byte sent to complete answer)"
    echo "and the slot's (coordinated-omission corrected, which includes the generator's backlog)."
    echo "Answered per second counts answers that arrived in the measured window, whatever their slot."
    echo
    echo "| Offered req/s | Answered 2xx/s | Answered 429+503/s | Server p99, 2xx ms | Server p99, refused ms | p99 from the slot ms | Slots: 2xx / 429+503 / failed / unsent |"
    echo "|---:|---:|---:|---:|---:|---:|---|"
    overload_row() {  # overload_row LABEL KEY
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(cell "$2" '.completed_2xx_per_s' num)" \
        "$(cell "$2" '.completed_refused_per_s' num)" "$(cell "$2" '.service_us["2xx"].p99' ms)" \
        "$(cell "$2" 'if .service_us.refused.count > 0 then .service_us.refused.p99 else "" end' ms)" "$(cell "$2" '.latency_us.p99' ms)" "$(status_cell "$2")"
    }
    for f in "${overload_factors[@]}"; do overload_row "$((max * f)) (${f}x)" "overload-$f-vigil"; done
    overload_row "$rate (recovery, right after 3x)" recovery-vigil
    echo
    echo "Ingest to alert at $alert_rate readings/s (1% alerting), from the reading's scheduled send to its"
    echo "alert on the SSE stream: p50 $(cell alert-vigil '.alert_latency.latency_us.p50' ms) ms,"
    echo "p99 $(cell alert-vigil '.alert_latency.latency_us.p99' ms) ms, max $(cell alert-vigil '.alert_latency.latency_us.max' ms) ms;"
    echo "$(cell alert-vigil '.alert_latency.matched' num) alerts matched, $(cell alert-vigil '.alert_latency.missing' num) missing."
    echo "Resident memory of the Vigil server after all runs: ${rss:-?} MiB."
    echo "Vigil's own count over all runs: answers to \`POST /v1/observations\` by status: ${answers:-?};"
    echo "refused by the middleware chain, by reason: ${refusals:-?}."
    echo "Vigil's group commits over all runs (write + fdatasync, \`vigil_log_commit_seconds\`): ${commits:-?}."
  fi
  echo
  echo "What each server does per request: Vigil validates, appends to its durable log and fsyncs"
  echo "(group commit) before answering 202; the Go reference (\`$go_peer\`, net/http +"
  echo "encoding/json, 10 workers) validates and queues in memory, never touching disk; nginx reads and"
  echo "discards the body and answers 204 (\`bench/nginx.conf.in\`, 2 workers)."
  echo
  echo "Commands (ports are chosen free at run time):"
  echo
  echo '```'
  printf '%s\n' "${commands[@]}"
  echo '```'
  echo "<!-- bench:end -->"
} >"$section"

mkdir -p "$(dirname "$output")"
if [[ ! -f $output ]]; then
  printf '# Benchmarks\n\nRerun with `scripts/bench.sh`; the section below is rewritten by it.\n\n' >"$output"
fi
if grep -q '<!-- bench:begin -->' "$output" && grep -q '<!-- bench:end -->' "$output"; then
  awk -v section="$section" '
    /<!-- bench:begin -->/ { while ((getline line < section) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0; next }
    !skip { print }' "$output" >"$work/out.md"
  cat "$work/out.md" >"$output"
else
  { echo; cat "$section"; } >>"$output"
fi
log "wrote $output"
sed -n '/<!-- bench:begin -->/,/<!-- bench:end -->/p' "$output"
