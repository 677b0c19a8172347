// GET /v1/alerts on the main port: the alert history, newest first.
//   ?state=firing|resolved  ?rule=traffic_spike  ?active=true (incidents firing now)  ?limit=N
// answers {"alerts":[{…alert…}], "count": N}, each alert as the generic webhook sends it.
#pragma once

namespace httplib {
class Server;
}

namespace shoplake::alert {
class AlertHistory;
}

namespace shoplake::server {

class AlertRoutes {
 public:
  explicit AlertRoutes(const alert::AlertHistory& history) : history_(history) {}
  void install(httplib::Server& http);

 private:
  const alert::AlertHistory& history_;
};

}  // namespace shoplake::server
