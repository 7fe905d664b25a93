// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// rss_probe PROGRAM [ARGS...]: runs PROGRAM and prints its peak resident set
// size as a last line "rss_probe: max_rss_kb N" on stderr, exiting with its
// exit code. A test cannot measure its own child: Linux carries the parent's
// peak RSS into a child's ru_maxrss across fork and exec. This small process
// has a small peak of its own, so its child's ru_maxrss is the child's.

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: rss_probe PROGRAM [ARGS...]\n", stderr);
    return 2;
  }
  pid_t pid;
  if (posix_spawn(&pid, argv[1], nullptr, nullptr, argv + 1, environ) != 0) {
    std::fprintf(stderr, "rss_probe: cannot run %s\n", argv[1]);
    return 2;
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return 2;
  std::fprintf(stderr, "rss_probe: max_rss_kb %ld\n", usage.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
