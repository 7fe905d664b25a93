// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/cli/args.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace openen::cli {

base::StatusOr<Args> Args::Parse(int argc, char** argv, int first,
                                 const std::set<std::string>& valued,
                                 const std::set<std::string>& flags) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      a.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (valued.count(name)) {
      if (!inline_value && i + 1 >= argc)
        return base::InvalidArgumentError("--" + name + " needs a value");
      a.values_[name] = inline_value ? *inline_value : argv[++i];
    } else if (flags.count(name) && !inline_value) {
      a.flags_.insert(name);
    } else {
      return base::InvalidArgumentError("unknown option --" + name);
    }
  }
  return a;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

base::StatusOr<int64_t> Args::GetInt(const std::string& name, int64_t fallback, int64_t min,
                                     int64_t max) const {
  auto v = Get(name);
  if (!v) return fallback;
  return ParseInt(*v, "--" + name, min, max);
}

base::StatusOr<int64_t> ParseInt(const std::string& text, const std::string& what, int64_t min,
                                 int64_t max) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
    return base::InvalidArgumentError(what + " must be an integer, got '" + text + "'");
  }
  if (v < min || v > max) {
    return base::InvalidArgumentError(what + " must be in " + std::to_string(min) + ".." +
                                      std::to_string(max) + ", got " + text);
  }
  return static_cast<int64_t>(v);
}

base::StatusOr<int64_t> ParseDate(const std::string& text, const std::string& what) {
  const base::Status wrong =
      base::InvalidArgumentError(what + " must be a date, YYYY-MM-DD, got '" + text + "'");
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return wrong;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return wrong;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(text.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(text.substr(8, 2));
  const std::tm asked = tm;
  const time_t seconds = timegm(&tm);
  // timegm normalises (February 31st is March 3rd): a day that does not
  // exist comes back changed.
  if (seconds < 0 || tm.tm_year != asked.tm_year || tm.tm_mon != asked.tm_mon ||
      tm.tm_mday != asked.tm_mday) {
    return wrong;
  }
  return static_cast<int64_t>(seconds);
}

namespace {
const char* program_name = "openen";
}  // namespace

void SetProgramName(const char* name) { program_name = name; }

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "%s: %s\n", program_name, message.c_str());
  return code;
}

}  // namespace openen::cli
