// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Java tests share: the native helpers of libopenen_java_test_support.so
 * (tests/java/java_test_support.cc), the programs under test (system properties set by
 * tests/CMakeLists.txt), and running them as processes.
 */
final class TestSupport {
  static {
    System.load(property("openen.test.support"));
  }

  private TestSupport() {}

  /** How many JNI global references the JVM holds, as JVMTI counts its heap roots. */
  static native long jniGlobalReferences();

  /** Calls openen_broadcast_payload on {@code threads} new native threads; how many succeeded. */
  static native int broadcastFromNativeThreads(long cClient, int threads);

  static native long grpcOpen(String verifier, String relay);

  static native void grpcClose(long transport);

  static native byte[] grpcCall(long transport, String method, byte[] request);

  static String property(String name) {
    String value = System.getProperty(name);
    if (value == null) throw new IllegalStateException("system property " + name + " is not set");
    return value;
  }

  /** The upload flow over real gRPC to a verifier and a relay, as grpc-java would carry it. */
  static final class GrpcTransport implements Transport, AutoCloseable {
    private final long handle;

    GrpcTransport(String verifier, String relay) {
      handle = grpcOpen(verifier, relay);
    }

    @Override
    public byte[] call(String method, byte[] request) {
      return grpcCall(handle, method, request);
    }

    @Override
    public void close() {
      grpcClose(handle);
    }
  }

  /** Runs a command to its end; its standard output, or an exception naming its error output. */
  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(dir.resolve("command.err").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: "
          + Files.readString(dir.resolve("command.err")));
    }
    return new String(out, StandardCharsets.UTF_8).strip();
  }

  /** A server process that logs "listening on 127.0.0.1:PORT" when it listens. */
  static final class Server implements AutoCloseable {
    final Process process;
    final int port;
    final Path log;

    Server(Path dir, String name, List<String> command) throws IOException, InterruptedException {
      log = dir.resolve(name + ".log");
      process = new ProcessBuilder(command).directory(dir.toFile())
          .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(log.toFile()).start();
      Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
      Instant deadline = Instant.now().plusSeconds(60);
      while (true) {
        Matcher m = listening.matcher(Files.readString(log));
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
          return;
        }
        if (!process.isAlive() || Instant.now().isAfter(deadline)) {
          process.destroyForcibly();
          throw new IOException(name + " did not start: " + Files.readString(log));
        }
        Thread.sleep(50);
      }
    }

    String address() {
      return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
  }

  /** Debian's nginx on loopback serving {@code root} over HTTP, as a CDN serves the export directory. */
  static final class Nginx implements AutoCloseable {
    final Process process;
    final int port;

    Nginx(Path dir, Path root) throws IOException, InterruptedException {
      Files.createDirectories(dir.resolve("tmp"));
      int free;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        free = s.getLocalPort();
      }
      port = free;
      String conf = "daemon off;\nmaster_process off;\nworker_processes 1;\n"
          + "pid " + dir.resolve("nginx.pid") + ";\n"
          + "error_log " + dir.resolve("error.log") + " info;\n"
          + "events { worker_connections 64; }\n"
          + "http {\n  access_log off;\n  default_type application/octet-stream;\n"
          + "  client_body_temp_path " + dir.resolve("tmp/body") + ";\n"
          + "  proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
          + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n"
          + "  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
          + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
          + "  server {\n    listen 127.0.0.1:" + port + ";\n    root " + root + ";\n  }\n}\n";
      Files.writeString(dir.resolve("nginx.conf"), conf);
      process = new ProcessBuilder("/usr/sbin/nginx", "-p", dir.toString(), "-c",
          dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (true) {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
          return;
        } catch (IOException e) {
          if (!process.isAlive() || Instant.now().isAfter(deadline)) {
            process.destroyForcibly();
            throw new IOException("nginx did not start: " + Files.readString(dir.resolve("nginx.out")), e);
          }
          Thread.sleep(50);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
  }

  /** A clock a test sets. */
  static final class FakeClock implements TimeSource {
    private volatile long now;

    FakeClock(long now) {
      this.now = now;
    }

    void set(long seconds) {
      now = seconds;
    }

    @Override
    public long nowSeconds() {
      return now;
    }
  }

  static List<Path> filesUnder(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (var walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(out::add);
    }
    return out;
  }
}
