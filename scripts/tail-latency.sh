#!/usr/bin/env bash
# scripts/tail-latency.sh RATE [tmpfs-alerts]: the open-loop tail of single intake, as make bench
# measures it, in three 5 s runs on one server configured as bench.sh configures it; prints each
# run's acknowledged rate and p50/p99/p99.9 (us), each thread group's CPU ticks, the deltas of the
# log's commit and append histograms, and what the disk did (/proc/diskstats, device vda).
#
# Environment:
#   VIGIL=path            the binary (default build/release/src/vigil)
#   PRE=SCENARIO PRE_S=T  first run SCENARIO closed-loop for T (default 10s), as make bench runs
#                         batch100 before its open loop, and wait for the pipeline to catch up
#   RESTART=1             then restart the server; DELETE_ALERTS=1 removes alerts.db meanwhile,
#                         DELETE_EVENTS=SQL runs SQL on it (sqlite3), and the time to /healthz is shown
#   NICE_PIPE=N           renice the pipeline, storage and spare threads by N
#   EXTRA_STORAGE=LINES   inserted under storage: in the config; EXTRA_YAML=TEXT appended to it
#   KEEPLOG=file          keep the server's log (stderr) there
#   tmpfs-alerts          alerts.db on /dev/shm
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd); source $repo/scripts/bench-vigil-config.sh
vigil=${VIGIL:-$repo/build/release/src/vigil}; rate=$1; mode=${2:-}
dir=$(mktemp -d); mkdir -p $dir/data  # a fresh folder under $TMPDIR
port=$((20000 + RANDOM % 40000)); shm=
{ bench_vigil_config $port $dir $repo | sed "s|^  data_dir: .*|&\n${EXTRA_STORAGE:-}|"; echo "${EXTRA_YAML:-}"; } > $dir/vigil.yaml
if [[ $mode == tmpfs-alerts ]]; then shm=$(mktemp -d -p /dev/shm); ln -s $shm/alerts.db $dir/data/alerts.db; fi
$vigil serve --config $dir/vigil.yaml >$dir/vigil.log 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; [[ -n ${KEEPLOG:-} ]] && cp $dir/vigil.log $KEEPLOG; rm -rf $dir $shm' EXIT
url=http://127.0.0.1:$port
for i in $(seq 1 300); do [[ $(curl -s -o /dev/null -w '%{http_code}' $url/healthz || true) == 200 ]] && break; sleep 0.1; done
admin=$($vigil token issue --config $dir/vigil.yaml --role admin --sub b --ttl 1h)
: > $dir/devices.txt
for i in $(seq 1 64); do
  patient=$(printf 'DEMO-S%02d-%04d' $((1 + (i - 1) % 5)) $((1 + (i - 1) / 5)))
  key=$(curl -sf -X POST "$url/v1/devices" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "{\"serial\":\"b-$i\",\"type\":\"wearable\",\"patient_id\":\"$patient\"}" | jq -r .api_key)
  echo "$patient $key" >> $dir/devices.txt
done
if [[ -n ${PRE:-} ]]; then
  $vigil loadgen --url $url --credentials $dir/devices.txt --threads 1 --scenario $PRE --mode closed --connections 64 --duration ${PRE_S:-10s} --json 2>/dev/null | jq -c '{pre:.observations_per_s}'
  until [[ $(curl -sf "$url/readyz" | jq -r .processing_lag) == 0 ]]; do sleep 0.2; done
  grep VmRSS /proc/$pid/status
  if [[ -n ${RESTART:-} ]]; then
    kill $pid; wait $pid 2>/dev/null || true
    [[ -n ${DELETE_ALERTS:-} ]] && rm -f $dir/data/alerts.db*
    [[ -n ${DELETE_EVENTS:-} ]] && sqlite3 $dir/data/alerts.db "$DELETE_EVENTS"
    ls -la $dir/data/
    [[ -f $dir/data/alerts.db ]] && sqlite3 $dir/data/alerts.db "PRAGMA page_count; PRAGMA freelist_count; SELECT COUNT(*) FROM alerts; SELECT COUNT(*) FROM alert_events; SELECT SUM(length(doc)) FROM alerts;" | tr '\n' ' '; echo
    ls $dir/data/intake-log | wc -l
    du -sh $dir/data/intake-log; t0=$(date +%s.%N)
    $vigil serve --config $dir/vigil.yaml >>$dir/vigil.log 2>&1 & pid=$!
    for i in $(seq 1 600); do [[ $(curl -s -o /dev/null -w '%{http_code}' $url/healthz || true) == 200 ]] && break; sleep 0.1; done
    echo "healthz after $(echo "$(date +%s.%N) - $t0" | bc) s"
    until [[ $(curl -sf "$url/readyz" | jq -r .processing_lag) == 0 ]]; do sleep 0.2; done
    echo restarted
  fi
fi
if [[ -n ${NICE_PIPE:-} ]]; then
  for t in /proc/$pid/task/*; do c=$(cat $t/comm); case $c in vigil-consumer|vigil-pipe*|vigil-spare|vigil-storage*) renice -n $NICE_PIPE -p ${t##*/} >/dev/null; echo -n "$c ";; esac; done; echo reniced
fi
ticks() { for t in /proc/$pid/task/*; do echo "$(sed 's/-[0-9]*$//' $t/comm) $(awk '{print $14 + $15}' $t/stat)"; done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort; }
hist() { curl -s -H "Authorization: Bearer $admin" $url/metrics | awk '/^vigil_log_commit_seconds_bucket|^vigil_log_append_seconds_bucket|^vigil_http_request_duration_seconds_bucket.*observations.*202/ {print $1, $2}'; }
hist > $dir/hbefore
awk '$3 == "vda" {print $8, $10, $19, $20}' /proc/diskstats > $dir/dbefore
ticks > $dir/before
for r in 1 2 3; do
$vigil loadgen --url $url --credentials $dir/devices.txt --threads 1 --warmup 1s --scenario single --mode open --rate $rate --connections 64 --duration 5s --json 2>/dev/null | jq -c '{a:.acknowledged_per_s, p50:.latency_us.p50, p99:.latency_us.p99, p999:.latency_us.p999}'
done
ticks > $dir/after; join $dir/before $dir/after | awk '{ d = $3 - $2; if (d > 0) printf "%s=%d ", $1, d } END { print "" }'
hist > $dir/hafter; join $dir/hbefore $dir/hafter | awk '{ split($1, a, "{"); n = a[1]; if (n != last) { printf "\n%s ", n; last = n } match($1, /le="[^"]*"/); printf "%s:%d ", substr($1, RSTART + 4, RLENGTH - 5), $3 - $2 } END { print "" }'
awk '$3 == "vda" {print $8, $10, $19, $20}' /proc/diskstats > $dir/dafter
paste $dir/dbefore $dir/dafter | awk '{ printf "disk: writes %d, MB written %.1f, flushes %d, flush ms %d\n", $5-$1, ($6-$2)*512/1e6, $7-$3, $8-$4 }'
