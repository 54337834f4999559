#include "auth/test_keys.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

#include "auth/base64url.h"
#include "auth/crypto.h"

namespace vigil::auth::testing {
namespace {

std::string pem_of(EVP_PKEY* key, bool private_part) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  const int ok = private_part
                     ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                     : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("cannot export test key");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

KeyPair export_pair(EVP_PKEY* raw) {
  if (!raw) throw std::runtime_error("test key generation failed");
  crypto::PkeyPtr key(raw);
  return KeyPair{pem_of(key.get(), true), pem_of(key.get(), false)};
}

}  // namespace

KeyPair generate_rsa(unsigned bits) {
  return export_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
}

KeyPair generate_ec(const char* curve) {
  return export_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

const KeyPair& rsa_2048() {
  static const KeyPair key = generate_rsa(2048);
  return key;
}

const KeyPair& ec_p256() {
  static const KeyPair key = generate_ec("P-256");
  return key;
}

std::string make_token(std::string_view header_json, std::string_view payload_json,
                       std::string_view signature) {
  return base64url_encode(header_json) + "." + base64url_encode(payload_json) + "." +
         base64url_encode(signature);
}

std::string make_hs256_token(std::string_view header_json, std::string_view payload_json,
                             std::string_view secret) {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(crypto::hmac_sha256(secret, input));
}

}  // namespace vigil::auth::testing
