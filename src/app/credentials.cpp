#include "app/credentials.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace vigil::app {
namespace {

std::string read_file(const std::filesystem::path& file, std::string_view what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CredentialError(fmt::format("cannot read {} {}", what, file.string()));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

void create_secret(const std::filesystem::path& file) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw CredentialError("cannot generate a JWT secret: the random number generator failed");
  }
  std::string hex;
  for (const auto b : bytes) hex += fmt::format("{:02x}", b);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  // O_EXCL: two nodes starting at once never overwrite each other's secret.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;
    throw CredentialError(fmt::format("cannot create JWT secret file {}", file.string()));
  }
  hex += '\n';
  const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw CredentialError(fmt::format("cannot write JWT secret file {}", file.string()));
}

}  // namespace

std::string load_hs256_secret(const config::AuthConfig& auth) {
  if (auth.hs256_secret_file.empty()) return {};
  if (auth.create_secret && !std::filesystem::exists(auth.hs256_secret_file)) create_secret(auth.hs256_secret_file);
  auto secret = read_file(auth.hs256_secret_file, "JWT secret file");
  if (secret.size() < 32) {
    throw CredentialError(fmt::format("JWT secret file {} holds fewer than 32 bytes", auth.hs256_secret_file.string()));
  }
  return secret;
}

auth::JwtVerifier make_verifier(const config::AuthConfig& auth, const Clock& clock) {
  auth::JwtVerifierOptions options;
  options.hs256_secret = load_hs256_secret(auth);
  if (!auth.public_key_file.empty()) options.public_key_pem = read_file(auth.public_key_file, "JWT public key file");
  if (options.hs256_secret.empty() && options.public_key_pem.empty()) {
    throw CredentialError("no token key configured: set auth.hs256_secret_file or auth.public_key_file");
  }
  options.issuer = auth.issuer;
  options.audience = auth.audience;
  options.leeway = auth.leeway;
  try {
    return auth::JwtVerifier(std::move(options), clock);
  } catch (const std::invalid_argument& e) {
    throw CredentialError(e.what());
  }
}

auth::JwtSigner make_signer(const config::AuthConfig& auth, const std::string& private_key_file) {
  try {
    if (!private_key_file.empty()) {
      return auth::JwtSigner::from_private_key_pem(read_file(private_key_file, "private key file"));
    }
    const auto secret = load_hs256_secret(auth);
    if (secret.empty()) {
      throw CredentialError("no signing key: configure auth.hs256_secret_file or pass --private-key");
    }
    return auth::JwtSigner::hs256(secret);
  } catch (const std::invalid_argument& e) {
    throw CredentialError(e.what());
  }
}

auth::Claims make_claims(const config::AuthConfig& auth, const Clock& clock, std::string subject, std::string role,
                         std::vector<std::string> sites, std::string patient) {
  auth::Claims c;
  c.subject = std::move(subject);
  c.role = std::move(role);
  c.sites = std::move(sites);
  c.patient = std::move(patient);
  c.issuer = auth.issuer;
  if (!auth.audience.empty()) c.audience = {auth.audience};
  c.expires_at = clock.now() + std::chrono::duration_cast<Duration>(auth.token_ttl);
  return c;
}

}  // namespace vigil::app
