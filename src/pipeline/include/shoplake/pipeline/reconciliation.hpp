// Reconciliation: after a run, gold (the accurate layer) is compared with the realtime tables (the
// speed layer) for the days the run recomputed, per KPI: events, revenue, orders. Only days the
// realtime tables cover are compared (they keep a few days). The drift is |gold - realtime| /
// max(|gold|, 1); above the threshold the row is marked for an alert.
#pragma once

#include <string>
#include <vector>

#include "shoplake/pipeline/scheduler.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::pipeline {

struct ReconciliationOptions {
  double drift_threshold = 0.01;
};

// A Reconciler querying gold.* and realtime.* through the SQL engine.
Reconciler engine_reconciler(sql::Engine& engine, ReconciliationOptions options);

// |gold - realtime| / max(|gold|, 1).
double drift_of(double gold, double realtime);

}  // namespace shoplake::pipeline
