// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.time.LocalDate;
import org.jetbrains.annotations.NotNull;

/** What the store holds for one day, without identifiers ({@link OpenEnClient#storageSummary()}). */
public record DayCounts(long epochDay, int ownKeys, int identifiersSeen, int scans, int exposureWindows) {
  /** The day as a date (UTC). */
  public @NotNull LocalDate date() {
    return LocalDate.ofEpochDay(epochDay);
  }
}
