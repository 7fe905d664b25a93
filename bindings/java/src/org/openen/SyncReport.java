// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

/** What one {@link OpenEnClient#sync} did. */
public record SyncReport(int batches, long keys, long matchedIdentifiers, int newExposureWindows) {}
