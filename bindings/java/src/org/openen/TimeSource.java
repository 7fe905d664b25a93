// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

/**
 * The clock the library reads, in unix seconds. Apps leave it unset (the system clock); tests and
 * simulations set one with {@link ClientOptions.Builder#timeSource}. It must not throw: if it
 * does, that reading falls back to the system clock.
 */
@FunctionalInterface
public interface TimeSource {
  long nowSeconds();
}
