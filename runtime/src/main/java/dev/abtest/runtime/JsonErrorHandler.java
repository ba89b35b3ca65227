package dev.abtest.runtime;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Replaces Jetty's HTML error pages: every answer the server gives on its own (a request it could
 * not parse, headers over the limit, a path no handler took, a failure) is the contract's JSON
 * error body. Never a stack trace, never the client's bytes echoed back.
 */
final class JsonErrorHandler extends ErrorHandler {
  private static final HttpField JSON =
      new HttpField(HttpHeader.CONTENT_TYPE, EdgeErrors.CONTENT_TYPE);

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Object attribute = request.getAttribute(ERROR_STATUS);
    int status = attribute instanceof Integer code ? code : response.getStatus();
    if (status < 400) {
      status = 500;
    }
    EdgeErrors.Error error = EdgeErrors.forStatus(status);
    response.setStatus(status);
    response.getHeaders().put(JSON);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    byte[] body = error.body();
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    if (request.getMethod().equals("HEAD")) {
      response.write(true, null, callback);
    } else {
      response.write(true, ByteBuffer.wrap(body), callback);
    }
    return true;
  }

  /** Answers the parser's refusals (400, 413, 414, 431...) before any handler runs. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(JSON);
    fields.put(HttpHeader.CACHE_CONTROL, "no-store");
    return ByteBuffer.wrap(EdgeErrors.forStatus(status).body());
  }
}
