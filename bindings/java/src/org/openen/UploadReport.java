// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

/** What an upload sent and what the relay accepted. */
public record UploadReport(int keysSent, int keysAccepted) {}
