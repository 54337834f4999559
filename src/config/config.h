#pragma once
// Vigil's configuration: what `vigil serve` reads from etc/vigil.yaml. Every key is documented in
// docs/operations.md. Loading is strict: unknown keys, wrong types and out-of-range values are
// rejected with "FILE:LINE:COL: reason" so an operator's typo never silently falls back to a default.
//
// Plain data; only this module knows about YAML.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::config {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                         // 0 picks a free port (tests)
  unsigned io_threads = 2;                           // threads running the network event loop
  std::size_t max_body_bytes = std::size_t{1024} * 1024;          // larger bodies get 413
  std::chrono::milliseconds read_timeout{30'000};    // to read one whole request once it started
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive connection with no request
  std::chrono::milliseconds shutdown_grace{10'000};  // in-flight requests get this long on SIGTERM
  // Scheduler slice of the network threads and the log writer, in microseconds (common/sched_slice.h,
  // Linux 6.12+): 0 keeps the kernel's default, else 100–100000.
  unsigned latency_slice_us = 100;
};

struct StorageConfig {
  std::filesystem::path data_dir = "var/data";
  unsigned blocking_threads = 2;  // pool for SQLite reads and other blocking work
  // The durable intake log: "segment" (append-only checksummed segment files, the default) or
  // "sqlite" (one SQLite file in WAL mode with a global unique index on ids).
  std::string log_engine = "segment";
  // Segment log only: how long, and for how many ids at most, a client's id is recognised as a
  // duplicate (SQLite remembers every id forever).
  std::chrono::milliseconds dedupe_window = std::chrono::minutes(15);
  std::size_t dedupe_max_ids = 3'000'000;
};

struct LoggingConfig {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "json";  // json or text
};

struct IntakeConfig {
  std::size_t max_batch = 1000;         // observations per request; more is 413
  std::size_t queue_capacity = 65536;   // observations waiting for the log writer; past it, 503
  std::size_t max_group_items = 8192;   // observations per group commit (one fsync)
  std::chrono::seconds retry_after{1};  // Retry-After on 503
};

struct PipelineConfig {
  unsigned workers = 2;             // rule-evaluation workers; patients are partitioned over them
  std::size_t batch = 4096;         // log records per processing step (one effects transaction)
  std::size_t worker_queue = 8192;  // bound of each worker's queue, in records
  std::chrono::milliseconds missing_data_scan{60'000};  // how often (clock time) to look for gaps
  // Rounds without findings store their position only every this many records (or when the log
  // goes quiet): pipeline/processor.h, "Position commits".
  std::uint64_t position_commit_records = 1024;
  // Rounds with findings are stored at most once per this long (processor.h, "Commit linger").
  std::chrono::milliseconds commit_linger{2};
};

struct TrialConfig {
  std::filesystem::path protocol_file = "examples/trials/demo.yaml";
};

// Overload protection (docs/operations.md, "Middleware chain").
struct LimitsConfig {
  std::size_t max_connections = 10'000;  // open connections; past it, 503 and close
  std::size_t max_in_flight = 4'096;     // requests being handled at once; past it, 503
};

// The route groups the API's routes belong to (http::RouteOptions::group): the only names
// `rate_limits.groups` and `deadlines` accept, so that a misspelt group stops start-up instead of
// being ignored. RegistryApiTest.EveryRouteBelongsToAConfigurableGroup keeps the two lists together.
inline constexpr std::array<std::string_view, 7> kRouteGroups{"admin", "debug",  "default", "health",
                                                              "intake", "read", "stream"};

struct RateGroupConfig {
  double rate = 0;   // requests per second per credential (or client address)
  double burst = 0;  // bucket size
};

struct RateLimitsConfig {
  bool enabled = true;
  std::size_t max_keys = 100'000;  // buckets kept in memory (LRU beyond)
  // Per route group. Groups without an entry use "default".
  std::map<std::string, RateGroupConfig> groups{
      {"intake", {1'000, 2'000}}, {"read", {100, 200}},   {"stream", {2, 5}},
      {"admin", {50, 100}},       {"default", {100, 200}},
  };
};

struct SheddingConfig {
  bool enabled = true;
  double cpu_threshold = 0.9;  // 0..1 of the CPUs the process may use
  std::string cpu_source = "process";  // "process" (this process's share) or "system" (whole machine)
  std::chrono::milliseconds window{5'000};
  unsigned buckets = 50;
  std::chrono::milliseconds cool_off{1'000};
  double read_share = 0.8;  // reads are shed once in-flight passes this share of the estimate
  unsigned min_in_flight = 64;  // never shed below this many requests in flight (floor of the estimate)
};

struct DeadlinesConfig {
  // Default deadline per route group; a client may shorten it (X-Request-Timeout-Ms, grpc-timeout).
  std::map<std::string, std::chrono::milliseconds> groups{
      {"intake", std::chrono::milliseconds(5'000)},
      {"read", std::chrono::milliseconds(10'000)},
      {"admin", std::chrono::milliseconds(30'000)},
      {"default", std::chrono::milliseconds(10'000)},
  };
};

struct BreakersConfig {
  double k = 1.5;  // accepts multiplier of Google SRE adaptive throttling
  std::chrono::milliseconds window{10'000};
  unsigned buckets = 40;
  std::chrono::milliseconds probe_interval{1'000};
};

struct AuthConfig {
  std::filesystem::path hs256_secret_file = "var/secrets/jwt-hs256.key";  // HS256 secret (>= 32 bytes)
  bool create_secret = true;  // create hs256_secret_file with a random secret when missing (one node)
  std::filesystem::path public_key_file;  // PEM: RSA (RS256) or EC P-256 (ES256) public key
  std::string issuer = "vigil";          // required `iss`; empty: not checked
  std::string audience = "vigil-api";    // required in `aud`; empty: not checked
  std::chrono::seconds leeway{30};       // clock skew allowed on exp and nbf
  std::chrono::seconds token_ttl{3600};  // lifetime of tokens minted by `vigil token issue` / the demo
};

// Where trials, sites, patients, devices, users, protocol versions and the audit trail live.
struct RegistryStoreConfig {
  std::string backend = "sqlite";  // "sqlite" (storage.data_dir/registry.db) or "postgres"
  std::string postgres;            // libpq conninfo, required for postgres
  std::size_t pool_size = 4;       // PostgreSQL connections
  std::filesystem::path field_key_file;  // 64 hex digits (AES-256) for patient identities; empty: none
};

// Span export to an OpenTelemetry collector (docs/operations.md, "Tracing export").
struct TracingConfig {
  std::string otlp_endpoint;  // "http://HOST:PORT/PATH" (PATH defaults to /v1/traces); empty: no export
  std::string service_name = "vigil";
  std::size_t queue_size = 2048;  // spans waiting to be sent; beyond it they are dropped
  std::size_t batch_size = 256;   // spans per request
  std::chrono::milliseconds flush_interval{2'000};
  std::chrono::milliseconds timeout{2'000};  // one export request: connect + write + read
};

struct Config {
  ServerConfig server;
  StorageConfig storage;
  LoggingConfig logging;
  IntakeConfig intake;
  PipelineConfig pipeline;
  TrialConfig trial;
  LimitsConfig limits;
  RateLimitsConfig rate_limits;
  SheddingConfig shedding;
  DeadlinesConfig deadlines;
  BreakersConfig breakers;
  AuthConfig auth;
  RegistryStoreConfig registry;
  TracingConfig tracing;
};

// Thrown for any problem with a configuration file; what() is one line, "FILE:LINE:COL: reason"
// (or "FILE: reason" when no position applies).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads and validates a YAML file. Keys absent from the file keep their defaults.
Config load_file(const std::filesystem::path& file);
// Same, from text (`origin` names it in error messages).
Config load_string(const std::string& yaml, const std::string& origin);

// Parses "250ms", "30s", "5m", "1h", "2d"; false when malformed or negative.
bool parse_duration(const std::string& text, std::chrono::milliseconds& out);

}  // namespace vigil::config
