#!/usr/bin/env bash
# scripts/disk-share.sh [ROUNDS]: what the disk's flush costs single intake. Starts three servers
# side by side: Vigil with its data folder on the disk (under $TMPDIR, as make bench runs it),
# the same binary with its data folder on tmpfs (/dev/shm, where fdatasync returns at once), and
# the Go reference (build/go/go-ingest, built by make bench); then runs the single closed loop
# (64 connections, 5 s after 1 s of warm-up) against each in turn, ROUNDS times (default 4), and
# prints acknowledged requests/s, p50 and the two ratios to Go per round. docs/benchmarks.md,
# "2026-12-06 (after 20:20)", has a reading.
#
# Needs: curl, jq, a built release preset, build/go/go-ingest. Linux only (/dev/shm).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-vigil-config.sh
source "$repo/scripts/bench-vigil-config.sh"
vigil=${VIGIL:-$repo/build/release/src/vigil}
go_bin=$repo/build/go/go-ingest
rounds=${1:-4}
[[ -x $vigil ]] || { echo "disk-share.sh: $vigil not built (make build)" >&2; exit 2; }
[[ -x $go_bin ]] || { echo "disk-share.sh: $go_bin not built (make bench builds it)" >&2; exit 2; }

disk=$(mktemp -d -p "${TMPDIR:-/tmp}")  # the disk, as make bench uses it
shm=$(mktemp -d -p /dev/shm)           # tmpfs: fdatasync returns at once
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$disk" "$shm"
}
trap cleanup EXIT

wait_healthy() {
  for _ in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1/healthz" || true) == 200 ]] && return 0
    sleep 0.1
  done
  echo "disk-share.sh: $1 did not come up" >&2; exit 1
}
# start_vigil DIR PORT: a server configured as make bench configures it, with 64 devices in DIR/devices.txt
start_vigil() {
  local dir=$1 port=$2 url="http://127.0.0.1:$2" admin key patient
  mkdir -p "$dir/data"
  bench_vigil_config "$port" "$dir" "$repo" >"$dir/vigil.yaml"
  "$vigil" serve --config "$dir/vigil.yaml" >"$dir/vigil.log" 2>&1 &
  pids+=($!)
  wait_healthy "$url"
  admin=$("$vigil" token issue --config "$dir/vigil.yaml" --role admin --sub disk-share --ttl 1h)
  : >"$dir/devices.txt"
  for i in $(seq 1 64); do
    patient=$(printf 'DEMO-S%02d-%04d' $((1 + (i - 1) % 5)) $((1 + (i - 1) / 5)))
    key=$(curl -sf -X POST "$url/v1/devices" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d "{\"serial\":\"disk-share-$i\",\"type\":\"wearable\",\"patient_id\":\"$patient\"}" | jq -r .api_key)
    echo "$patient $key" >>"$dir/devices.txt"
  done
}

port_disk=$(bench_free_port); start_vigil "$disk" "$port_disk"
port_shm=$(bench_free_port); start_vigil "$shm" "$port_shm"
port_go=$(bench_free_port)
"$go_bin" -addr "127.0.0.1:$port_go" -workers 10 >"$disk/go.log" 2>&1 &
pids+=($!)
wait_healthy "http://127.0.0.1:$port_go"

# run PORT CREDENTIALS: "requests/s p50_us"
run() {
  "$vigil" loadgen --url "http://127.0.0.1:$1" --credentials "$2" --threads 1 --warmup 1s --scenario single \
    --mode closed --connections 64 --duration 5s --json 2>/dev/null |
    jq -r '"\(.observations_per_s | floor) \(.latency_us.p50)"'
}
printf '%-6s %18s %18s %18s %9s %9s\n' round "disk req/s (p50)" "tmpfs req/s (p50)" "Go req/s (p50)" disk/Go tmpfs/Go
for r in $(seq 1 "$rounds"); do
  read -r d dp < <(run "$port_disk" "$disk/devices.txt")
  read -r s sp < <(run "$port_shm" "$shm/devices.txt")
  read -r g gp < <(run "$port_go" "$disk/devices.txt")  # Go reads no credentials; the same requests
  printf '%-6s %9s (%5sus) %9s (%5sus) %9s (%5sus) %9.2f %9.2f\n' "$r" "$d" "$dp" "$s" "$sp" "$g" "$gp" \
    "$(jq -n "$d / $g")" "$(jq -n "$s / $g")"
done
