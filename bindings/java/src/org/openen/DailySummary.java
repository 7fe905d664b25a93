// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.time.LocalDate;
import org.jetbrains.annotations.NotNull;

/**
 * One day's exposure, as GAEN's {@code DailySummary}: {@code epochDay} counts days since 1970-01-01
 * (UTC); {@code exposure} is true when {@code scoreSum} reached the configured minimum.
 */
public record DailySummary(
    long epochDay, double scoreSum, double maxScore, double weightedDurationSeconds, boolean exposure) {
  /** The day as a date (UTC). */
  public @NotNull LocalDate date() {
    return LocalDate.ofEpochDay(epochDay);
  }
}
