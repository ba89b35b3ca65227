package dev.abtest.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The header deadline Jetty lacks: its idle timeout restarts on every byte, so a client sending
 * half a header a byte at a time would hold its connection for ever. A new connection must deliver
 * a whole request head within the read timeout; after an answer, the next request must arrive
 * within the idle timeout plus the read timeout. Otherwise the client gets a 408 in the contract's
 * JSON shape and the connection is closed. Selectors do the reading, so slow connections never hold
 * a thread meanwhile.
 */
final class ReadDeadline implements Connection.Listener {
  private static final byte[] REQUEST_TIMEOUT = requestTimeout();

  private final Scheduler scheduler;
  private final long readMillis;
  private final long idleMillis;
  private final Map<Connection, State> states = new ConcurrentHashMap<>();

  private static final class State {
    final AtomicLong requests = new AtomicLong();
    volatile Scheduler.Task task;
  }

  ReadDeadline(Scheduler scheduler, HttpSettings settings) {
    this.scheduler = scheduler;
    this.readMillis = settings.readTimeout().toMillis();
    this.idleMillis = settings.idleTimeout().toMillis();
  }

  @Override
  public void onOpened(Connection connection) {
    State state = new State();
    states.put(connection, state);
    arm(connection, state, readMillis);
  }

  @Override
  public void onClosed(Connection connection) {
    State state = states.remove(connection);
    if (state != null && state.task != null) {
      state.task.cancel();
    }
  }

  /** Wraps the server's handler: a request whose head arrived stops the connection's clock. */
  Handler.Wrapper wrap(Handler handler) {
    return new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        Connection connection = request.getConnectionMetaData().getConnection();
        State state = states.get(connection);
        if (state != null) {
          state.requests.incrementAndGet();
          Scheduler.Task task = state.task;
          if (task != null) {
            task.cancel();
          }
          Request.addCompletionListener(
              request, failure -> arm(connection, state, idleMillis + readMillis));
        }
        return super.handle(request, response, callback);
      }
    };
  }

  private void arm(Connection connection, State state, long delayMillis) {
    long seen = state.requests.get();
    state.task =
        scheduler.schedule(
            () -> expire(connection, state, seen), delayMillis, TimeUnit.MILLISECONDS);
  }

  private void expire(Connection connection, State state, long seen) {
    EndPoint endPoint = connection.getEndPoint();
    if (state.requests.get() != seen || !endPoint.isOpen()) {
      return;
    }
    try {
      endPoint.write(
          Callback.from(endPoint::close, failure -> endPoint.close()),
          ByteBuffer.wrap(REQUEST_TIMEOUT));
    } catch (RuntimeException e) {
      // A write already pending (a request just arrived): closing is still the answer.
      endPoint.close();
    }
  }

  private static byte[] requestTimeout() {
    byte[] body = EdgeErrors.forStatus(408).body();
    String head =
        "HTTP/1.1 408 Request Timeout\r\n"
            + "Content-Type: "
            + EdgeErrors.CONTENT_TYPE
            + "\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(body, 0, all, headBytes.length, body.length);
    return all;
  }
}
