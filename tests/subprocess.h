// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Runs a program as a user would and captures its exit code, stdout and stderr.

#ifndef OPENEN_TESTS_SUBPROCESS_H_
#define OPENEN_TESTS_SUBPROCESS_H_

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace openen::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Run executes argv[0] with argv, stdin from /dev/null, and waits for it.
inline RunResult Run(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", 0, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) throw std::runtime_error("cannot run " + argv[0]);
  RunResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Process is a long-running child (a server) whose stdout and stderr the test reads.
class Process {
 public:
  explicit Process(const std::vector<std::string>& argv) {
    int err_pipe[2];
    if (pipe(err_pipe) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", 0, 0);
    // stdout and stderr both: tests search everything a server prints.
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    int rc = posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(err_pipe[1]);
    if (rc != 0) throw std::runtime_error("cannot run " + argv[0]);
    err_fd_ = err_pipe[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (err_fd_ >= 0) close(err_fd_);
  }

  // WaitForStderr reads stderr until it contains |needle| (true) or the
  // process closes it or |timeout_ms| passes (false).
  bool WaitForStderr(const std::string& needle, int timeout_ms = 20000) {
    return WaitUntil([&] { return err_.find(needle) != std::string::npos; }, timeout_ms);
  }

  // PortAfter waits for a line with |marker| followed by a port number, the
  // whole line, and returns the number; throws (failing the test, with what
  // the process printed) when none comes within |timeout_ms|.
  int PortAfter(const std::string& marker, int timeout_ms = 20000) {
    size_t at = std::string::npos;
    const bool found =
        WaitForStderr(marker, timeout_ms) && WaitUntil(
                                                 [&] {
                                                   at = err_.find(marker) + marker.size();
                                                   return err_.find('\n', at) != std::string::npos;
                                                 },
                                                 timeout_ms);
    const int port = found ? std::atoi(err_.c_str() + at) : 0;
    if (port <= 0)
      throw std::runtime_error("no '" + marker + "PORT' line; the process printed:\n" + err_);
    return port;
  }
  // ListeningPort is the port of the servers' "listening on 127.0.0.1:PORT"
  // line, which they log once they serve.
  int ListeningPort(int timeout_ms = 20000) {
    return PortAfter("listening on 127.0.0.1:", timeout_ms);
  }

  // Stop sends |sig|, reads the rest of stderr and returns the exit code.
  int Stop(int sig = SIGTERM) {
    kill(pid_, sig);
    char buf[4096];
    ssize_t n;
    while ((n = read(err_fd_, buf, sizeof(buf))) > 0) err_.append(buf, static_cast<size_t>(n));
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string& stderr_text() const { return err_; }

 private:
  // WaitUntil reads stderr until |done| holds (true) or the process closes
  // it or |timeout_ms| passes between reads (false).
  template <typename Done>
  bool WaitUntil(Done done, int timeout_ms) {
    while (!done()) {
      pollfd fd = {err_fd_, POLLIN, 0};
      if (poll(&fd, 1, timeout_ms) <= 0) return false;
      char buf[4096];
      ssize_t n = read(err_fd_, buf, sizeof(buf));
      if (n <= 0) return false;
      err_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::string err_;
};

// CountLines counts '\n'-terminated lines.
inline size_t CountLines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace openen::testing

#endif  // OPENEN_TESTS_SUBPROCESS_H_
