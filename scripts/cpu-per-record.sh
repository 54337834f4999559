#!/usr/bin/env bash
# CPU per stored record, by thread group, and latency, for one load run against a fresh server:
# the A/B measurement behind docs/benchmarks.md's "us/record" and open-loop p99 tables (throughput
# alone is too noisy on a shared 2-core machine to show a change of a few percent).
#
# Starts `vigil serve` configured as scripts/bench.sh does (scripts/bench-vigil-config.sh), on a
# free port in a temporary folder, registers one device per connection, runs `vigil loadgen`
# (closed loop, or open loop with RATE) for 5 s after 1 s of warm-up, waits until the pipeline has
# caught up, then prints acknowledged observations/s, p50/p99/p99.9, and each thread group's CPU
# ticks (utime + stime from /proc) divided by the records the pipeline committed meanwhile
# (vigil_pipeline_records_total). The server is stopped and its folder removed.
#
# usage: scripts/cpu-per-record.sh [SCENARIO [CONNECTIONS]]   (default: single 64)
# environment:
#   VIGIL        server binary (default build/release/src/vigil)
#   EXTRA_YAML   appended to the server's configuration, e.g. "pipeline: {commit_linger: 0ms}"
#   RATE         requests/s: an open loop at that rate (coordinated-omission corrected latency)
#                instead of the closed loop, e.g. RATE=27000 for the p99 at half the maximum
#   PRELOAD      a duration, e.g. 10s: first run the single scenario that long (not measured), so
#                that the alert store holds what make bench's earlier scenarios leave in it
#   PRELOAD_SCENARIO  the preload's scenario (default single; batch100 fills the dedupe window)
#
# Needs: curl, jq, a built release preset. Linux only (/proc).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-vigil-config.sh
source "$repo/scripts/bench-vigil-config.sh"
vigil=${VIGIL:-$repo/build/release/src/vigil}
scenario=${1:-single}
connections=${2:-64}
[[ -x $vigil ]] || { echo "cpu-per-record.sh: $vigil not built (make build)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-cpu.XXXXXX")
pid=
cleanup() {
  [[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(bench_free_port)  # scripts/bench-vigil-config.sh
url="http://127.0.0.1:$port"

mkdir -p "$dir/data"
{
  bench_vigil_config "$port" "$dir" "$repo"
  echo "${EXTRA_YAML:-}"
} >"$dir/vigil.yaml"
"$vigil" serve --config "$dir/vigil.yaml" >"$dir/vigil.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true) == 200 ]] && break
  sleep 0.1
done
admin=$("$vigil" token issue --config "$dir/vigil.yaml" --role admin --sub cpu-per-record --ttl 1h)
: >"$dir/devices.txt"
for i in $(seq 1 "$connections"); do
  patient=$(printf 'DEMO-S%02d-%04d' $((1 + (i - 1) % 5)) $((1 + (i - 1) / 5)))
  key=$(curl -sf -X POST "$url/v1/devices" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"serial\":\"cpu-$i\",\"type\":\"wearable\",\"patient_id\":\"$patient\"}" | jq -r .api_key)
  echo "$patient $key" >>"$dir/devices.txt"
done

# Ticks (utime + stime) per thread group: names without their "-N" suffix.
ticks() {
  for t in /proc/"$pid"/task/*; do
    echo "$(sed 's/-[0-9]*$//' "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
if [[ -n ${PRELOAD:-} ]]; then  # fill the alert store first, as make bench's earlier scenarios do
  "$vigil" loadgen --url "$url" --credentials "$dir/devices.txt" --threads 1 --scenario "${PRELOAD_SCENARIO:-single}" \
    --mode closed --connections "$connections" --duration "$PRELOAD" --json >/dev/null 2>&1
  for _ in $(seq 1 1200); do
    [[ $(curl -sf "$url/readyz" | jq -r .processing_lag) == 0 ]] && break
    sleep 0.1
  done
fi
records_before=$(curl -sf -H "Authorization: Bearer $admin" "$url/metrics" |
  awk '$1 == "vigil_pipeline_records_total" { print $2 }')
mode=(--mode closed)
[[ -n ${RATE:-} ]] && mode=(--mode open --rate "$RATE")
# The mixed scenario's reads go out with a staff token, as scripts/bench.sh sends them.
staff=()
[[ $scenario == mixed ]] && staff=(--header "Authorization: Bearer $admin")
ticks >"$dir/before"
result=$("$vigil" loadgen --url "$url" --credentials "$dir/devices.txt" --threads 1 --warmup 1s \
  --scenario "$scenario" "${mode[@]}" --connections "$connections" --duration 5s --json "${staff[@]}" 2>/dev/null)
for _ in $(seq 1 1200); do
  [[ $(curl -sf "$url/readyz" | jq -r .processing_lag) == 0 ]] && break
  sleep 0.1
done
ticks >"$dir/after"
records=$(curl -sf -H "Authorization: Bearer $admin" "$url/metrics" |
  awk -v before="$records_before" '$1 == "vigil_pipeline_records_total" { print $2 - before }')
hz=$(getconf CLK_TCK)

echo "$scenario, $connections connections: obs/s=$(jq -r '.observations_per_s | floor' <<<"$result")" \
  "p50=$(jq -r '.latency_us.p50' <<<"$result")us p99=$(jq -r '.latency_us.p99' <<<"$result")us" \
  "p99.9=$(jq -r '.latency_us.p999' <<<"$result")us records=$records"
join "$dir/before" "$dir/after" | awk -v n="$records" -v hz="$hz" '
  { d = $3 - $2; total += d; if (d > 0) printf "  %-16s %6d ticks %7.2f us/record\n", $1, d, d * 1e6 / hz / n }
  END { printf "  %-16s %6d ticks %7.2f us/record\n", "server total", total, total * 1e6 / hz / n }'
