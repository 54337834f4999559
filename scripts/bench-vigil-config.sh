# Sourced by scripts/bench.sh, scripts/cpu-per-record.sh and scripts/disk-share.sh: the one place
# that knows how a benchmarked `vigil serve` is configured, so that every figure in
# docs/benchmarks.md comes from the same server set-up.

# bench_free_port: prints a port nobody listens on now. (A race with another process is possible
# but harmless: the server would fail to bind and the caller's health check reports it.)
bench_free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if [[ -z $(ss -Htln "sport = :$port") ]]; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}
#
# bench_vigil_config PORT DIR REPO: prints the configuration of a server listening on
# 127.0.0.1:PORT with its data under DIR/data and its signing secret in DIR/jwt.key.
bench_vigil_config() {
  local port=$1 dir=$2 repo=$3
  cat <<YAML
server:
  listen: 127.0.0.1:$port
  io_threads: 2
storage:
  data_dir: $dir/data
logging:
  level: warn
trial:
  protocol_file: $repo/examples/trials/demo.yaml
auth:
  hs256_secret_file: $dir/jwt.key
  create_secret: true
# The load generator shares these cores: the shedder must see the whole machine's CPU (go-zero's
# reading), not only Vigil's share, or it never knows the machine is saturated.
shedding:
  cpu_source: system
# The mixed scenario's reads all carry one staff token, standing in for many staff users: the
# per-credential read limit (100/s) would otherwise refuse nearly all of them.
rate_limits:
  groups:
    read: {rate: 1000000, burst: 1000000}
YAML
}
