// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Metrics: what a server counts for its operator, served in Prometheus's text
// format at http://<--metrics-listen>/metrics, a loopback port of its own,
// through Debian's prometheus-cpp. Counts, sums and gauges about the service
// only: no label or value is about a person (no address, key, code, or time
// finer than a scrape), and label values come from fixed sets (status code
// names, the relay's fixed rejection reasons, "real"/"chaff" never: chaff
// is not counted apart). Thread-safe.

#ifndef OPENEN_SERVER_METRICS_H_
#define OPENEN_SERVER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "openen/base/status.h"

namespace prometheus {
class Exposer;
}

namespace openen::server {

class Metrics {
 public:
  // |prefix| starts every name: "openen_relay".
  explicit Metrics(std::string prefix);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Counter, Gauge and Histogram return the metric <prefix>_<name> with
  // |labels|, made on first use; it lives as long as this object. A counter's
  // name ends in "_total", a duration's in "_seconds".
  prometheus::Counter& Counter(const std::string& name, const std::string& help,
                               const prometheus::Labels& labels = {});
  prometheus::Gauge& Gauge(const std::string& name, const std::string& help);
  prometheus::Histogram& Histogram(const std::string& name, const std::string& help,
                                   const std::vector<double>& buckets);

  // Text is what a scrape reads: every metric in Prometheus's text format.
  std::string Text() const;

  // Serve exposes the metrics at http://|listen|/metrics and returns the
  // port. INVALID_ARGUMENT unless |listen| is 127.0.0.1:PORT, [::1]:PORT or
  // localhost:PORT (port 0 picks one): metrics are for an agent on the host;
  // UNAVAILABLE when it cannot bind.
  base::StatusOr<int> Serve(const std::string& listen);

 private:
  const std::string prefix_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// Count adds |n| to counter |name| of |metrics|, when there are metrics.
inline void Count(Metrics* metrics, const std::string& name, const std::string& help,
                  const prometheus::Labels& labels = {}, double n = 1) {
  if (metrics != nullptr) metrics->Counter(name, help, labels).Increment(n);
}

}  // namespace openen::server

#endif  // OPENEN_SERVER_METRICS_H_
