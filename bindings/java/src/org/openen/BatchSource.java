// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.IOException;
import org.jetbrains.annotations.NotNull;

/**
 * Where {@link OpenEnClient#sync} downloads the relay's published files from: the app's HTTPS stack
 * (OkHttp on Android), or {@link HttpBatchSource} on the JDK's HttpClient. The library verifies
 * every byte (signatures, digests, the transparency log), so a CDN needs no trust beyond
 * availability.
 *
 * <p>{@link #fetch} runs on the thread that called sync. How it ends tells the library what
 * happened:
 *
 * <ul>
 *   <li>returns normally: {@code body} holds the whole file;
 *   <li>{@link java.io.FileNotFoundException} (HTTP 404 or 410): the file does not exist;
 *   <li>{@link java.io.InterruptedIOException} when {@code cancel} is set: cancelled; {@link
 *       java.net.http.HttpTimeoutException} or {@link java.net.SocketTimeoutException}: a timeout;
 *   <li>any other {@link IOException} (no network, HTTP 5xx, a short body): unavailable, try later;
 *   <li>an {@link OpenEnException}: its status;
 *   <li>anything else: {@link Status#INTERNAL}, with the exception as the cause.
 * </ul>
 */
@FunctionalInterface
public interface BatchSource {
  /**
   * Fetches {@code name} (a file name such as "index.txt" or "batch-1585872000.zip", or a relative
   * path under log/ such as "log/checkpoint"; never with "..") from the base URL and writes its body
   * to {@code body}.
   */
  void fetch(@NotNull String name, @NotNull ResponseBody body, @NotNull Cancellation cancel)
      throws IOException;
}
