#include "webhook_url.hpp"

#include <algorithm>
#include <cctype>

namespace shoplake::alert {

namespace {

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

bool is_valid_port(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return false;
  if (!std::all_of(digits.begin(), digits.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return false;
  }
  const int port = std::stoi(std::string(digits));
  return port > 0 && port <= 65535;
}

bool is_valid_authority(std::string_view authority) {
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    const std::string_view inside = authority.substr(1, close - 1);
    if (!std::all_of(inside.begin(), inside.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
        })) {
      return false;
    }
    const std::string_view rest = authority.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && is_valid_port(rest.substr(1)));
  }
  const std::size_t colon = authority.find(':');
  if (colon != std::string_view::npos) {
    if (!is_valid_port(authority.substr(colon + 1))) return false;
    host = authority.substr(0, colon);
  }
  return !host.empty() && std::all_of(host.begin(), host.end(), is_host_char);
}

}  // namespace

core::Result<WebhookUrl> split_webhook_url(std::string_view url) {
  std::string_view rest;
  std::string_view scheme;
  if (url.starts_with("https://")) {
    scheme = "https";
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    scheme = "http";
    rest = url.substr(7);
  } else {
    return core::Error{"is not an http:// or https:// URL"};
  }
  if (std::any_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) == 0x7f;
      })) {
    return core::Error{"contains spaces or control characters"};
  }
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) {
    // cpp-httplib cannot send credentials written into the URL.
    return core::Error{
        "has user:password@ in it, which is not supported: send credentials in a header"};
  }
  if (!is_valid_authority(authority)) return core::Error{"has no valid host[:port]"};
  WebhookUrl split;
  split.origin = std::string(scheme) + "://" + std::string(authority);
  if (authority_end != std::string_view::npos) {
    std::string_view target = rest.substr(authority_end);
    target = target.substr(0, target.find('#'));  // a fragment never goes to the server
    split.target = std::string(target);
  }
  if (split.target.empty() || split.target.front() != '/') split.target.insert(0, "/");
  return split;
}

}  // namespace shoplake::alert
