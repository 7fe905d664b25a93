// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jetbrains.annotations.NotNull;

/**
 * A {@link BatchSource} on the JDK's {@link HttpClient} (not on Android, which has no {@code
 * java.net.http}): GETs each file under a base URL (a CDN or web server serving the relay's export
 * directory, e.g. {@code https://cdn.example.org/openen/}). HTTP 200 is the file, 404 and 410 its
 * absence; any other answer (a redirect, which it does not follow, a 403, a 5xx) fails the sync as
 * unavailable. The body is pulled piece by piece into the library's buffer, never more than one
 * piece ahead. A wait for the server, for its answer or for the next piece of the body, ends when
 * the cancel flag is set and after the timeout given (default 60 s) without progress. HTTPS and its
 * certificates are the HttpClient's.
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
    Pump pump = new Pump();
    // The status and headers arrive before the body, which the pump pulls afterwards (the
    // response's own future completes only once the whole body is in).
    CompletableFuture<HttpResponse.ResponseInfo> head = new CompletableFuture<>();
    CompletableFuture<HttpResponse<Void>> pending = http.sendAsync(request, info -> {
      head.complete(info);
      return info.statusCode() == 200 ? HttpResponse.BodySubscribers.fromSubscriber(pump)
                                      : HttpResponse.BodySubscribers.discarding();
    });
    try {
      HttpResponse.ResponseInfo response = null;
      while (response == null) {
        if (cancel.isCancelled()) throw new InterruptedIOException("cancelled");
        if (pending.isCompletedExceptionally()) pending.get(); // throws the failure
        try {
          response = head.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // Poll the flag again; the request's own timeout ends a silent server.
        }
      }
      int code = response.statusCode();
      if (code == 404 || code == 410) throw new FileNotFoundException(name + ": HTTP " + code);
      if (code != 200) throw new IOException(name + ": HTTP " + code);
      if (response.headers().firstValueAsLong("content-length").orElse(0) > body.maxBytes()) {
        throw new OpenEnException(Status.RESOURCE_EXHAUSTED,
            name + " is larger than the " + body.maxBytes() + " bytes allowed");
      }
      pump.drainTo(name, body, cancel, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof IOException io) throw io;
      throw new IOException(cause);
    } finally {
      pending.cancel(true);
      pump.cancel();
    }
  }

  // The body as a subscriber that asks for one piece at a time, when the fetching thread wants it.
  private static final class Pump implements Flow.Subscriber<List<ByteBuffer>> {
    private static final Object END = new Object();
    private final BlockingQueue<Object> pieces = new LinkedBlockingQueue<>();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.complete(s);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      pieces.add(item);
    }

    @Override
    public void onError(Throwable t) {
      pieces.add(t);
    }

    @Override
    public void onComplete() {
      pieces.add(END);
    }

    void cancel() {
      subscription.thenAccept(Flow.Subscription::cancel);
    }

    void drainTo(String name, ResponseBody body, Cancellation cancel, Duration timeout)
        throws IOException, InterruptedException, ExecutionException {
      Flow.Subscription s = subscription.get();
      byte[] chunk = new byte[64 * 1024];
      while (true) {
        s.request(1);
        long deadline = System.nanoTime() + timeout.toNanos();
        Object piece = null;
        while (piece == null) {
          if (cancel.isCancelled()) throw new InterruptedIOException("cancelled");
          if (System.nanoTime() - deadline > 0) {
            throw new HttpTimeoutException(name + ": no data for " + timeout.toSeconds() + " s");
          }
          piece = pieces.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (piece == END) return;
        if (piece instanceof Throwable t) {
          if (t instanceof IOException io) throw io;
          throw new IOException(name + ": " + t, t);
        }
        @SuppressWarnings("unchecked")
        List<ByteBuffer> buffers = (List<ByteBuffer>) piece;
        for (ByteBuffer b : buffers) {
          while (b.hasRemaining()) {
            int n = Math.min(b.remaining(), chunk.length);
            b.get(chunk, 0, n);
            body.write(chunk, 0, n);
          }
        }
      }
    }
  }
}
