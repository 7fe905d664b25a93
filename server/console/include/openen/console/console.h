// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Console: the case workers' web console of openen-verifier, on a listener
// of its own (never the public gRPC port), served with Debian's cpp-httplib.
// Staff log in with a password and a one-time password; case workers issue
// codes within their daily limit; admins also see the daily counts and
// manage accounts. Pages are HTML made on the server, without script; every
// form carries its session's CSRF token, and every POST from another origin
// is refused. docs/console.md says how it is used.

#ifndef OPENEN_CONSOLE_CONSOLE_H_
#define OPENEN_CONSOLE_CONSOLE_H_

#include <memory>
#include <string>
#include <thread>

#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/console/sessions.h"
#include "openen/console/staff.h"
#include "openen/verifier/verifier.h"

namespace httplib {
class Server;
}

namespace openen::console {

struct ConsoleOptions {
  // host:port; a host other than 127.0.0.1, [::1] or localhost needs TLS.
  // Port 0 picks one.
  std::string listen = "127.0.0.1:8443";
  // TLS (1.2 or later): PEM certificate chain and private key, both or
  // neither. Without them the console speaks plain HTTP, on loopback only
  // (behind a TLS proxy on the same host), and its cookies lose Secure.
  std::string tls_cert;
  std::string tls_key;
  // Where browsers reach the console when a TLS proxy on the host serves it
  // (https://HOST[:PORT]): a POST's Origin must be this, and cookies are
  // Secure and __Host- as with the console's own TLS. Empty: the listener.
  std::string origin;
  // The long code's link: "<code_link>?c=<long code>" (docs/protocol.md,
  // Code links), e.g. https://health.example/v.
  std::string code_link;
  // The name on every page and in second-factor apps.
  std::string title = "OpenEN console";
  SessionLimits sessions;
};

class Console {
 public:
  // Start serves the console until destroyed. INVALID_ARGUMENT for options
  // that do not hold together; UNAVAILABLE when it cannot listen or read the
  // TLS files. |verifier|, |staff| and |clock| outlive it.
  static base::StatusOr<std::unique_ptr<Console>> Start(ConsoleOptions options,
                                                        verifier::Verifier* verifier, Staff* staff,
                                                        const base::Clock* clock);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  int port() const { return port_; }
  // Sessions open now (for tests and the log).
  size_t sessions() const { return sessions_.size(); }

 private:
  class Handlers;
  Console(ConsoleOptions options, verifier::Verifier* verifier, Staff* staff,
          const base::Clock* clock);

  const ConsoleOptions options_;
  verifier::Verifier* const verifier_;
  Staff* const staff_;
  const base::Clock* const clock_;
  Sessions sessions_;
  std::unique_ptr<Handlers> handlers_;  // what server_'s routes call
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace openen::console

#endif  // OPENEN_CONSOLE_CONSOLE_H_
