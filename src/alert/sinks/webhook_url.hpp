// A webhook URL split the way cpp-httplib wants it. The URL is a secret: errors describe what is
// wrong with it without quoting any of it, and the caller says where it came from.
#pragma once

#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::alert {

struct WebhookUrl {
  std::string origin;  // "https://hooks.slack.com" or "http://host:port"
  std::string target;  // path and query, "/" at least
};

core::Result<WebhookUrl> split_webhook_url(std::string_view url);

}  // namespace shoplake::alert
