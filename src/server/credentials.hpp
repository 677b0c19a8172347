// ClickHouse's three ways to present credentials: X-ClickHouse-User / X-ClickHouse-Key headers,
// `user` / `password` URL parameters, and HTTP Basic authentication.
#pragma once

#include <string>

namespace httplib {
struct Request;
}

namespace shoplake::server {

// True when the request names `user` (or no user at all, meaning "default") with `password`.
bool credentials_accepted(const httplib::Request& request, const std::string& user,
                          const std::string& password);

// Equal in time that does not depend on where the strings differ.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace shoplake::server
