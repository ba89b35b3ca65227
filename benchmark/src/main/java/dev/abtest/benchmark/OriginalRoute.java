package dev.abtest.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * The design this project replaces, for reference only: read the row, check its status, then an
 * unconditional UPDATE, each statement in its own transaction, no engine, no audit. It answers like
 * the original route (200 with the row, 404, 400 when already active) and is never used outside the
 * benchmark: it has the race the project exists to remove.
 */
final class OriginalRoute implements AutoCloseable {
  static final String PATH = "/api/nous/ab-testing/experiments/activate";

  private static final String FIND = "SELECT * FROM \"ABTest\" WHERE id = ?";
  private static final String UPDATE =
      "UPDATE \"ABTest\" SET status = 'ACTIVE', \"updatedAt\" = now() WHERE id = ? RETURNING *";

  private final DataSource dataSource;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor;

  OriginalRoute(DataSource dataSource, int threads) throws IOException {
    this.dataSource = dataSource;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
    this.executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(executor);
    server.createContext(PATH, this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status;
      String body;
      try {
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
          request = json.readTree(in);
        }
        JsonNode id = request == null ? null : request.get("experimentId");
        if (id == null || !id.isTextual()) {
          status = 400;
          body = "{\"success\":false,\"error\":\"Invalid request format\"}";
        } else {
          ObjectNode found = query(FIND, id.asText());
          if (found == null) {
            status = 404;
            body = "{\"success\":false,\"error\":\"Experiment not found\"}";
          } else if ("ACTIVE".equals(found.path("status").asText())) {
            status = 400;
            body = "{\"success\":false,\"error\":\"Experiment is already active\"}";
          } else {
            ObjectNode updated = query(UPDATE, id.asText());
            ObjectNode reply = json.createObjectNode().put("success", true);
            reply.set("data", updated);
            status = 200;
            body = json.writeValueAsString(reply);
          }
        }
      } catch (IOException | SQLException | RuntimeException e) {
        status = 500;
        body = "{\"success\":false,\"error\":\"Failed to activate experiment\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private ObjectNode query(String sql, String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement(sql)) {
      statement.setString(1, id);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        ObjectNode row = json.createObjectNode();
        ResultSetMetaData meta = rs.getMetaData();
        for (int col = 1; col <= meta.getColumnCount(); col++) {
          Object value = rs.getObject(col);
          String name = meta.getColumnLabel(col);
          if (value instanceof Timestamp ts) {
            row.put(name, ts.toInstant().toString());
          } else if ("configuration".equals(name) && value != null) {
            row.set(name, json.readTree(value.toString()));
          } else {
            row.put(name, value == null ? null : value.toString());
          }
        }
        return row;
      } catch (IOException e) {
        throw new SQLException("unreadable configuration", e);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
