// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/metrics.h"

#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <exception>
#include <sstream>

namespace openen::server {

Metrics::Metrics(std::string prefix)
    : prefix_(std::move(prefix)), registry_(std::make_shared<prometheus::Registry>()) {}

Metrics::~Metrics() = default;

prometheus::Counter& Metrics::Counter(const std::string& name, const std::string& help,
                                      const prometheus::Labels& labels) {
  return prometheus::BuildCounter()
      .Name(prefix_ + "_" + name)
      .Help(help)
      .Register(*registry_)
      .Add(labels);
}

prometheus::Gauge& Metrics::Gauge(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge()
      .Name(prefix_ + "_" + name)
      .Help(help)
      .Register(*registry_)
      .Add({});
}

prometheus::Histogram& Metrics::Histogram(const std::string& name, const std::string& help,
                                          const std::vector<double>& buckets) {
  return prometheus::BuildHistogram()
      .Name(prefix_ + "_" + name)
      .Help(help)
      .Register(*registry_)
      .Add({}, buckets);
}

std::string Metrics::Text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

base::StatusOr<int> Metrics::Serve(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  const std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (host != "127.0.0.1" && host != "[::1]" && host != "localhost") {
    return base::InvalidArgumentError(
        "--metrics-listen must be a loopback address (127.0.0.1:PORT, [::1]:PORT): metrics are "
        "for an agent on this host");
  }
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return base::UnavailableError("cannot serve metrics on " + listen + ": " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  if (ports.empty()) return base::UnavailableError("cannot serve metrics on " + listen);
  return ports.front();
}

}  // namespace openen::server
