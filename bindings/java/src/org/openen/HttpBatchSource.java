// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jetbrains.annotations.NotNull;

/**
 * A {@link BatchSource} on the JDK's {@link HttpClient}: GETs each file under a base URL (a CDN or
 * web server serving the relay's export directory, e.g. {@code https://cdn.example.org/openen/}).
 * The body streams into the library's buffer in 64 KiB pieces, checking the cancel flag between
 * them; a wait for the server's answer also ends when the flag is set. Each request times out after
 * the timeout given (default 60 s). HTTPS and its certificates are the HttpClient's.
 */
public final class HttpBatchSource implements BatchSource {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  private static final long POLL_MILLIS = 100;

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  /** GETs from {@code base} with a new HttpClient that follows no redirects. */
  public HttpBatchSource(@NotNull URI base) {
    this(base, HttpClient.newBuilder().connectTimeout(DEFAULT_TIMEOUT).build(), DEFAULT_TIMEOUT);
  }

  /** GETs from {@code base} (its path should end in '/') with {@code http}. */
  public HttpBatchSource(@NotNull URI base, @NotNull HttpClient http, @NotNull Duration timeout) {
    String s = base.toString();
    this.base = s.endsWith("/") ? base : URI.create(s + "/");
    this.http = http;
    this.timeout = timeout;
  }

  @Override
  public void fetch(@NotNull String name, @NotNull ResponseBody body, @NotNull Cancellation cancel)
      throws IOException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(name)).timeout(timeout).GET().build();
    CompletableFuture<HttpResponse<InputStream>> pending =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<InputStream> response = null;
    try {
      while (response == null) {
        if (cancel.isCancelled()) {
          pending.cancel(true);
          throw new InterruptedIOException("cancelled");
        }
        try {
          response = pending.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // Poll the flag again.
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.cancel(true);
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof IOException io) throw io;
      throw new IOException(cause);
    }
    try (InputStream in = response.body()) {
      int code = response.statusCode();
      if (code == 404 || code == 410) throw new FileNotFoundException(name + ": HTTP " + code);
      if (code != 200) throw new IOException(name + ": HTTP " + code);
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) != -1; ) {
        if (cancel.isCancelled()) throw new InterruptedIOException("cancelled");
        body.write(buffer, 0, n);
      }
    }
  }
}
