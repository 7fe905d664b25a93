// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import org.jetbrains.annotations.NotNull;

/** The C API's status codes (openen_status in openen.h), one constant each, with the same numbers. */
public enum Status {
  OK(0),
  CANCELLED(1),
  /** Any other failure (gRPC's UNKNOWN). */
  OTHER(2),
  INVALID_ARGUMENT(3),
  DEADLINE_EXCEEDED(4),
  NOT_FOUND(5),
  ALREADY_EXISTS(6),
  PERMISSION_DENIED(7),
  RESOURCE_EXHAUSTED(8),
  FAILED_PRECONDITION(9),
  ABORTED(10),
  OUT_OF_RANGE(11),
  INTERNAL(13),
  UNAVAILABLE(14),
  DATA_LOSS(15),
  UNAUTHENTICATED(16),
  /** The person paused exposure notification ({@link OpenEnClient#pause()}). */
  PAUSED(100),
  /** The authority's configuration expired and no sync renewed it: broadcasting and matching stop. */
  CONFIGURATION_EXPIRED(101),
  /** The authority switched the system off for good and everything was erased. */
  DECOMMISSIONED(102),
  /**
   * The relay or mirror contradicts itself or what this phone saw before (a forked log, a batch
   * withheld or not in the log): nothing moved, and the app should tell the health authority.
   */
  MISBEHAVING_SOURCE(103);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The number openen.h gives this status. */
  public int code() {
    return code;
  }

  /** The status with number {@code code}; {@link #OTHER} for a number openen.h does not list. */
  public static @NotNull Status fromCode(int code) {
    for (Status s : values()) {
      if (s.code == code) return s;
    }
    return OTHER;
  }
}
