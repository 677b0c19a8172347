#include "credentials.hpp"

#include <httplib.h>

#include <string_view>

namespace shoplake::server {
namespace {

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string base64_decode(std::string_view text) {
  std::string decoded;
  unsigned bits = 0;
  int bit_count = 0;
  for (char c : text) {
    if (c == '=') break;
    const int digit = base64_digit(c);
    if (digit < 0) return {};
    bits = (bits << 6) | static_cast<unsigned>(digit);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      decoded.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  return decoded;
}

struct Presented {
  std::string user;
  std::string password;
};

Presented presented_credentials(const httplib::Request& request) {
  if (request.has_header("X-ClickHouse-User") || request.has_header("X-ClickHouse-Key")) {
    return {request.get_header_value("X-ClickHouse-User"),
            request.get_header_value("X-ClickHouse-Key")};
  }
  const std::string authorization = request.get_header_value("Authorization");
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.rfind(kBasic, 0) == 0) {
    const std::string decoded =
        base64_decode(std::string_view(authorization).substr(kBasic.size()));
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return {decoded, {}};
    return {decoded.substr(0, colon), decoded.substr(colon + 1)};
  }
  return {request.get_param_value("user"), request.get_param_value("password")};
}

}  // namespace

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

bool credentials_accepted(const httplib::Request& request, const std::string& user,
                          const std::string& password) {
  Presented presented = presented_credentials(request);
  if (presented.user.empty()) presented.user = "default";
  // Both compared, whatever the first says, so the time does not tell which one was wrong.
  const bool user_matches = constant_time_equal(presented.user, user);
  const bool password_matches = constant_time_equal(presented.password, password);
  return user_matches && password_matches;
}

}  // namespace shoplake::server
