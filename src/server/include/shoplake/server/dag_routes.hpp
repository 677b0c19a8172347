// /v1/dags on the main port: the scheduler's DAG, its runs, their tasks and logs (what
// `shoplake dag` and the web UI show), and triggering, backfilling, pausing.
//   GET  /v1/dags                                        {"dags":[DAG]}
//   GET  /v1/dags/{dag}                                  DAG
//   POST /v1/dags/{dag}/runs  [{"from","to"}]            201 RUN (both dates: a backfill)
//   GET  /v1/dags/{dag}/runs?limit=N                     {"runs":[RUN]}, newest first
//   GET  /v1/dags/{dag}/runs/{run}                       RUN with "tasks":[TASK]
//   GET  /v1/dags/{dag}/runs/{run}/tasks/{task}/logs     the task's log, text/plain
//   POST /v1/dags/{dag}/pause, /unpause                  DAG
// Times are RFC 3339 UTC with milliseconds, null when not yet; errors are {"error": "…"}.
#pragma once

namespace httplib {
class Server;
}

namespace shoplake::pipeline {
class Scheduler;
class RunStore;
}  // namespace shoplake::pipeline

namespace shoplake::server {

class DagRoutes {
 public:
  explicit DagRoutes(pipeline::Scheduler& scheduler, pipeline::RunStore& store)
      : scheduler_(scheduler), store_(store) {}
  void install(httplib::Server& routes);

 private:
  pipeline::Scheduler& scheduler_;
  pipeline::RunStore& store_;
};

}  // namespace shoplake::server
