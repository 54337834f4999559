#include "auth/crypto.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace vigil::auth::crypto {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

constexpr int kScalarBytes = 32;  // P-256 r and s
constexpr std::size_t kRawSignatureBytes = 2 * kScalarBytes;

std::string clear_errors_and_fail() {
  ERR_clear_error();
  return {};
}

// The first queued OpenSSL error as text; clears the queue.
std::string take_openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL detail";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// Never prompt on a terminal for a passphrase: an encrypted key in configuration is an error.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

BioPtr memory_bio(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::runtime_error("OpenSSL: cannot allocate a memory BIO");
  return bio;
}

void check_supported(const EVP_PKEY& key, std::string_view what) {
  if (EVP_PKEY_is_a(&key, "RSA")) {
    if (EVP_PKEY_get_bits(&key) < 2048) {
      throw std::invalid_argument(
          fmt::format("{}: RSA key has {} bits, at least 2048 are required", what, EVP_PKEY_get_bits(&key)));
    }
    return;
  }
  if (EVP_PKEY_is_a(&key, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(&key, group, sizeof group, &len) == 1 &&
        std::string_view(group) == "prime256v1") {
      return;
    }
    ERR_clear_error();
    throw std::invalid_argument(fmt::format("{}: EC key is not on curve P-256 (ES256 only)", what));
  }
  throw std::invalid_argument(fmt::format("{}: key type {} is not supported (RSA or EC P-256 only)", what,
                                          EVP_PKEY_get0_type_name(&key)));
}

}  // namespace

void PkeyFree::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

PkeyPtr read_public_key_pem(std::string_view pem, std::string_view what) {
  auto bio = memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    throw std::invalid_argument(fmt::format(
        "{}: not a PEM public key (expected -----BEGIN PUBLIC KEY-----): {}", what, take_openssl_error()));
  }
  check_supported(*key, what);
  return key;
}

PkeyPtr read_private_key_pem(std::string_view pem, std::string_view what) {
  auto bio = memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    throw std::invalid_argument(
        fmt::format("{}: not an unencrypted PEM private key: {}", what, take_openssl_error()));
  }
  check_supported(*key, what);
  return key;
}

KeyType key_type(const EVP_PKEY& key) {
  return EVP_PKEY_is_a(&key, "RSA") ? KeyType::rsa : KeyType::ec_p256;
}

Sha256Digest sha256_digest(std::string_view data) {
  // Every authenticated request hashes its API key. EVP_sha256() is a legacy handle that OpenSSL 3
  // resolves through the provider store on every EVP_Digest (a lock and a lookup, ~2% of the
  // intake profile); fetching the implementation once avoids that. It lives for the whole process
  // on purpose, so it is never freed.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) throw std::runtime_error("OpenSSL SHA-256 unavailable: " + take_openssl_error());
  // EVP_Digest allocates and frees a context (and its provider state) on every call; a context per
  // thread, re-initialised with the same digest, keeps its state and allocates nothing.
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local const std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  Sha256Digest out{};
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed: " + take_openssl_error());
  }
  return out;
}

std::string sha256(std::string_view data) {
  const Sha256Digest d = sha256_digest(data);
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  std::size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                 reinterpret_cast<unsigned char*>(out.data()), out.size(), &len)) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed: " + take_openssl_error());
  }
  out.resize(len);
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: " + take_openssl_error());
  }
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sign_sha256(EVP_PKEY& key, std::string_view data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, &key, nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    throw std::runtime_error("OpenSSL signing setup failed: " + take_openssl_error());
  }
  std::string out(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in, data.size()) != 1) {
    throw std::runtime_error("OpenSSL signing failed: " + take_openssl_error());
  }
  out.resize(len);
  return out;
}

bool verify_sha256(EVP_PKEY& key, std::string_view data, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, &key, nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

std::string ecdsa_p256_raw_to_der(std::string_view raw) {
  if (raw.size() != kRawSignatureBytes) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, kScalarBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kScalarBytes, kScalarBytes, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);  // ECDSA_SIG_set0 takes ownership only on success
    BN_free(s);
    return clear_errors_and_fail();
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return clear_errors_and_fail();
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return clear_errors_and_fail();
  return der;
}

std::string ecdsa_p256_der_to_raw(std::string_view der) {
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig || in != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return clear_errors_and_fail();
  }
  std::string raw(kRawSignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kScalarBytes) != kScalarBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kScalarBytes, kScalarBytes) != kScalarBytes) {
    return clear_errors_and_fail();
  }
  return raw;
}

}  // namespace vigil::auth::crypto
