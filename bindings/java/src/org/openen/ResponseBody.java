// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.IOException;
import java.io.OutputStream;
import org.jetbrains.annotations.NotNull;

/**
 * Where a {@link BatchSource} writes the body it fetched, straight into the library's buffer (no
 * copy of the whole body on the Java heap). It holds at most {@link #maxBytes()}: a write past that
 * throws an {@link OpenEnException} with {@link Status#RESOURCE_EXHAUSTED}, and the sync fails. It
 * is valid only until {@link BatchSource#fetch} returns; writes after that throw IOException. A
 * write that was refused fails the fetch, even if the source catches it and returns.
 */
public final class ResponseBody extends OutputStream {
  private long response; // the native openen_response*, 0 once the callback returned
  private final long maxBytes;
  private long written;
  private boolean overflowed;

  ResponseBody(long response, long maxBytes) {
    this.response = response;
    this.maxBytes = maxBytes;
  }

  /** The most bytes the library takes for this file. */
  public long maxBytes() {
    return maxBytes;
  }

  /** How many bytes were written so far. */
  public long written() {
    return written;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  // Synchronized with detach(): once fetch returned, no append reaches the freed native response,
  // whatever thread the source writes from.
  @Override
  public synchronized void write(@NotNull byte[] b, int off, int len) throws IOException {
    if (off < 0 || len < 0 || len > b.length - off) throw new IndexOutOfBoundsException();
    if (response == 0) throw new IOException("the response is closed: its fetch returned");
    if (len > maxBytes - written) {
      overflowed = true;
      throw new OpenEnException(Status.RESOURCE_EXHAUSTED,
          "the body is larger than the " + maxBytes + " bytes allowed for this file");
    }
    int code = Native.responseAppend(response, b, off, len);
    if (code != 0) {
      overflowed = true;
      throw new OpenEnException(Status.fromCode(code), "the library refused the body");
    }
    written += len;
  }

  // Called when the fetch returned: the native response is gone. True when a write was refused
  // (the fetch then fails, even if the source went on and returned normally).
  synchronized boolean detach() {
    response = 0;
    return overflowed;
  }
}
