// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A real nginx (Debian's) on loopback serving a directory over HTTPS with a
// throwaway CA, as a CDN would serve openen-relay's export directory, plus
// locations that misbehave the ways a real server does. It runs as a child
// (daemon off, master_process off) with everything in a temporary directory,
// as root or not.

#ifndef OPENEN_TESTS_CLIENT_NGINX_H_
#define OPENEN_TESTS_CLIENT_NGINX_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "subprocess.h"
#include "test_util.h"

namespace openen::testing {

inline constexpr char kNginx[] = "/usr/sbin/nginx";
inline constexpr char kOpenssl[] = "/usr/bin/openssl";

// Listener is a loopback TCP socket that listens and never accepts: a
// server that stalls before its first byte (the kernel completes the TCP
// handshake; TLS never starts).
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        listen(fd_, 8) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int port() const { return port_; }
  // WaitForConnection waits up to |timeout_ms| for a connection to be
  // pending: a client has connected (and now waits for a TLS answer).
  bool WaitForConnection(int timeout_ms = 20000) const {
    pollfd p = {fd_, POLLIN, 0};
    return poll(&p, 1, timeout_ms) == 1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// FreePort returns a loopback port nobody listened on a moment ago.
inline int FreePort() {
  Listener l;
  return l.port();
}

inline bool CanConnect(const char* ip, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip, &a.sin_addr);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  close(fd);
  return ok;
}

// Pki is a throwaway CA with a server certificate for 127.0.0.1 and
// localhost, and a second CA that signed nothing here.
struct Pki {
  TempDir dir;
  std::string ca = dir.Sub("ca.pem");
  std::string other_ca = dir.Sub("other-ca.pem");
  std::string cert = dir.Sub("server.pem");
  std::string key = dir.Sub("server.key");

  Pki() {
    MakeCa(dir.Sub("ca"), ca);
    MakeCa(dir.Sub("other-ca"), other_ca);
    Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", key, "-out", dir.Sub("server.csr"), "-subj", "/CN=localhost"});
    std::ofstream(dir.Sub("server.ext"))
        << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
           "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";
    Openssl({"x509", "-req", "-in", dir.Sub("server.csr"), "-CA", ca, "-CAkey", dir.Sub("ca.key"),
             "-CAcreateserial", "-days", "2", "-out", cert, "-extfile", dir.Sub("server.ext")});
  }

 private:
  void MakeCa(const std::string& stem, const std::string& pem) {
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", stem + ".key", "-out", pem, "-days", "2", "-subj", "/CN=OpenEN test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
  }
  static void Openssl(std::vector<std::string> args) {
    args.insert(args.begin(), kOpenssl);
    RunResult r = Run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
};

// Nginx serves |root| at https://127.0.0.1:PORT/ (and 127.0.0.2, whose
// address the certificate does not name), and:
//   /slow/       the same files at 1 byte/s after the first 400 bytes (the
//                headers and the start of the body): a stalled server;
//   /chunked/    the same files without Content-Length (chunked);
//   /truncated/  the same files proxied from a backend that trickles after
//                400 bytes (the headers, then the start of a batch: all
//                of index.txt and index.sha256); nginx gives up on it after 300 ms and closes
//                the connection in the middle of the body;
//   /empty/      no files at all (404 for everything);
//   /forbidden/  403, /broken/ 503, /moved/ a 301 to /;
// and |root| over plain HTTP at http://127.0.0.1:PLAIN_PORT/.
class Nginx {
 public:
  Nginx(const std::string& root, const Pki& pki) {
    std::filesystem::create_directories(dir_.Sub("tmp"));
    std::filesystem::create_directories(dir_.Sub("empty"));
    // Ports are picked free, then bound by nginx: another process may take
    // one in between, and nginx then exits. Try again on other ports.
    for (int attempt = 0;; ++attempt) {
      {
        Listener a, b;  // held together: two distinct ports
        port_ = a.port();
        plain_port_ = b.port();
      }
      WriteConfig(root, pki);
      process_ = std::make_unique<Process>(std::vector<std::string>{
          kNginx, "-p", dir_.path(), "-c", dir_.Sub("nginx.conf"), "-e", dir_.Sub("error.log")});
      if (WaitUntilListening()) break;
      INFO(ErrorLog());
      REQUIRE(attempt < 2);
      process_->Stop(SIGQUIT);
      process_.reset();
    }
  }
  // WriteConfig writes nginx.conf for the current ports.
  void WriteConfig(const std::string& root, const Pki& pki) {
    std::filesystem::remove(dir_.Sub("error.log"));  // a failed attempt's
    const std::string p = std::to_string(port_);
    const std::string pp = std::to_string(plain_port_);
    const std::string tmp = dir_.Sub("tmp");
    std::ofstream conf(dir_.Sub("nginx.conf"));
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "pid " << dir_.Sub("nginx.pid") << ";\n"
         << "error_log " << dir_.Sub("error.log") << " info;\n"
         << "events { worker_connections 64; }\n"
         << "http {\n"
         << "  access_log off;\n"
         << "  default_type application/octet-stream;\n"
         << "  client_body_temp_path " << tmp << "/body;\n"
         << "  proxy_temp_path " << tmp << "/proxy;\n"
         << "  fastcgi_temp_path " << tmp << "/fastcgi;\n"
         << "  uwsgi_temp_path " << tmp << "/uwsgi;\n"
         << "  scgi_temp_path " << tmp << "/scgi;\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << p << " ssl;\n"
         << "    listen 127.0.0.2:" << p << " ssl;\n"
         << "    ssl_certificate " << pki.cert << ";\n"
         << "    ssl_certificate_key " << pki.key << ";\n"
         << "    root " << root << ";\n"
         << "    location / { }\n"
         << "    location /slow/ { alias " << root << "/; limit_rate_after 400; limit_rate 1; }\n"
         << "    location /chunked/ { alias " << root << "/; sub_filter_types *;"
         << " sub_filter 'no-such-text-in-any-file' 'x'; }\n"
         << "    location /truncated/ { proxy_pass http://127.0.0.1:" << pp << "/trickle/;"
         << " proxy_read_timeout 300ms; }\n"
         << "    location /empty/ { alias " << dir_.Sub("empty") << "/; }\n"
         << "    location /forbidden/ { return 403; }\n"
         << "    location /broken/ { return 503; }\n"
         << "    location /moved/ { return 301 https://127.0.0.1:" << p << "/; }\n"
         << "  }\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << pp << ";\n"
         << "    root " << root << ";\n"
         << "    location / { }\n"
         << "    location /trickle/ { alias " << root
         << "/; limit_rate_after 400; limit_rate 1; }\n"
         << "  }\n"
         << "}\n";
    conf.close();
  }
  // WaitUntilListening waits up to 20 s for both ports; false when nginx
  // could not bind one.
  bool WaitUntilListening() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!(CanConnect("127.0.0.1", port_) && CanConnect("127.0.0.1", plain_port_))) {
      if (ErrorLog().find("Address already in use") != std::string::npos) return false;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  ~Nginx() {
    if (process_) process_->Stop(SIGQUIT);
  }

  std::string Url(const std::string& path = "/") const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string UrlAt(const std::string& ip, const std::string& path = "/") const {
    return "https://" + ip + ":" + std::to_string(port_) + path;
  }
  std::string PlainUrl(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(plain_port_) + path;
  }
  std::string ErrorLog() const {
    std::ifstream in(dir_.Sub("error.log"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  TempDir dir_;
  int port_ = 0;
  int plain_port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace openen::testing

#endif  // OPENEN_TESTS_CLIENT_NGINX_H_
