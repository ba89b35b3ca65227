package dev.abtest.starter.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without holding a thread: chunks are taken as the selector delivers them, up
 * to the limit (413 beyond, by the declared length or as read), and the whole body must arrive
 * within the read timeout counted from the request's arrival (408 and the connection closed
 * otherwise).
 */
final class BodyReader {
  private final Request request;
  private final int limit;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private ScheduledFuture<?> timeout;
  private long seen;

  /** A body over the limit but under this is read to its end before the 413. */
  private static final long DRAIN_LIMIT = 1024 * 1024;

  private BodyReader(Request request, int limit) {
    this.request = request;
    this.limit = limit;
  }

  /** The whole body, or an {@link ApiError} (400, 408 or 413). */
  static CompletableFuture<byte[]> read(
      Request request,
      int limit,
      Duration readTimeout,
      long arrivalNanos,
      ScheduledExecutorService timer) {
    long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (declared > DRAIN_LIMIT) {
      return CompletableFuture.failedFuture(tooLarge(limit));
    }
    if (declared == 0) {
      return CompletableFuture.completedFuture(new byte[0]);
    }
    BodyReader reader = new BodyReader(request, limit);
    long left = arrivalNanos + readTimeout.toNanos() - System.nanoTime();
    reader.timeout = timer.schedule(reader::expire, Math.max(left, 0), TimeUnit.NANOSECONDS);
    reader.next();
    return reader.result;
  }

  private void next() {
    while (!result.isDone()) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this::next);
        return;
      }
      try {
        if (Content.Chunk.isFailure(chunk)) {
          finish(null, ApiError.invalid("body", "the body could not be read completely"));
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        seen += bytes.remaining();
        if (seen > DRAIN_LIMIT) {
          finish(null, tooLarge(limit));
          return;
        }
        if (seen > limit) {
          // Read on (and drop) to the end: a client still sending when the 413 comes and the
          // connection closes may never see the answer.
          if (chunk.isLast()) {
            finish(null, tooLarge(limit));
            return;
          }
          continue;
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        body.write(copy, 0, copy.length);
        if (chunk.isLast()) {
          finish(body.toByteArray(), null);
          return;
        }
      } finally {
        chunk.release();
      }
    }
  }

  private void expire() {
    finish(
        null,
        new ApiError(
            ErrorCode.REQUEST_TIMEOUT,
            ErrorCode.REQUEST_TIMEOUT.message(),
            null,
            Map.of("Connection", "close")));
  }

  private void finish(byte[] bytes, ApiError error) {
    boolean first = error == null ? result.complete(bytes) : result.completeExceptionally(error);
    if (first && timeout != null) {
      timeout.cancel(false);
    }
  }

  static ApiError tooLarge(int limit) {
    return new ApiError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.PAYLOAD_TOO_LARGE.message(),
        Map.of("limitBytes", limit),
        Map.of("Connection", "close"));
  }
}
