package dev.abtest.starter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Bytes on a socket, for what an HTTP client library would refuse to send. */
final class RawHttp {
  private RawHttp() {}

  /** An answer as read: the status (0 when none came) and the whole text. */
  record Answer(int status, String text) {
    String body() {
      int split = text.indexOf("\r\n\r\n");
      return split < 0 ? "" : text.substring(split + 4);
    }
  }

  static Socket connect(int port) {
    try {
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(20_000);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code request} (writing on while the server may already answer) and reads to close. */
  static Answer exchange(int port, byte[] request) {
    try (Socket socket = connect(port)) {
      OutputStream out = socket.getOutputStream();
      CompletableFuture<Void> sent =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(request);
                  out.flush();
                } catch (IOException e) {
                  // The server answered and closed before taking everything: expected for limits.
                }
              });
      Answer answer = read(socket);
      sent.join();
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Answer exchange(int port, String request) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads until the server closes (or 20 s pass, or the connection is reset). */
  static Answer read(Socket socket) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      InputStream in = socket.getInputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        got.write(buffer, 0, n);
        String text = got.toString(StandardCharsets.ISO_8859_1);
        if (complete(text)) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      // what came so far is the answer
    } catch (IOException e) {
      // reset after the answer: what came so far is the answer
    }
    String text = got.toString(StandardCharsets.UTF_8);
    int status = 0;
    if (text.startsWith("HTTP/1.1 ") && text.length() >= 12) {
      status = Integer.parseInt(text.substring(9, 12));
    }
    return new Answer(status, text);
  }

  /** A whole response with a Content-Length has arrived. */
  private static boolean complete(String text) {
    int split = text.indexOf("\r\n\r\n");
    if (split < 0) {
      return false;
    }
    String head = text.substring(0, split).toLowerCase();
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return false;
    }
    int end = head.indexOf("\r\n", at);
    long length = Long.parseLong(head.substring(at + 15, end < 0 ? head.length() : end).strip());
    return text.length() - split - 4 >= length;
  }
}
