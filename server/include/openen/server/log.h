// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Server logging. Log lines carry counts, batch ids and error kinds, never a
// peer address, a code, a token, a key or any other identifier: the functions
// here take only a format and numbers/fixed strings from the caller.

#ifndef OPENEN_SERVER_LOG_H_
#define OPENEN_SERVER_LOG_H_

namespace openen::server {

// Log writes "<UTC time> <component>: <message>\n" to stderr, or with
// SetLogJson one JSON object per line: {"time": "<UTC time>", "component":
// "<component>", "message": "<message>"}. Thread-safe.
void Log(const char* component, const char* format, ...) __attribute__((format(printf, 2, 3)));

// SetLogging turns Log on (the default) or off, for a process that runs the
// servers inside something else with its own output (openen simulate).
void SetLogging(bool on);

// SetLogJson switches Log to JSON lines (servers' --log-json), for log
// collectors; the same messages, so still no address, key or code.
void SetLogJson(bool on);

}  // namespace openen::server

#endif  // OPENEN_SERVER_LOG_H_
