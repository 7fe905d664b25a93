// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.IOException;
import org.jetbrains.annotations.NotNull;

/**
 * Carries the upload flow's three calls ({@link #EXCHANGE_CODE_METHOD} and {@link #CERTIFY_METHOD}
 * to the health authority's verifier, {@link #PUBLISH_METHOD} to the relay): the library builds each
 * request (a serialized, padded protobuf message) and parses each response; the app sends the bytes
 * over gRPC (grpc-java: {@code method} is the full method name) or any HTTPS endpoint the authority
 * maps them to. Chaff goes through it too.
 *
 * <p>How {@link #call} ends: returns the response message; throws an {@link OpenEnException} with
 * the server's status for a refusal (gRPC's code, e.g. {@link Status#NOT_FOUND} for an unknown or
 * expired code); a timeout ({@link java.net.http.HttpTimeoutException}, {@link
 * java.net.SocketTimeoutException}) is {@link Status#DEADLINE_EXCEEDED}, any other {@link
 * IOException} {@link Status#UNAVAILABLE}, anything else {@link Status#INTERNAL}.
 */
@FunctionalInterface
public interface Transport {
  String EXCHANGE_CODE_METHOD = "/openen.v1.Verification/ExchangeCode";
  String CERTIFY_METHOD = "/openen.v1.Verification/Certify";
  String PUBLISH_METHOD = "/openen.v1.Relay/Publish";

  @NotNull byte[] call(@NotNull String method, @NotNull byte[] request) throws IOException;
}
