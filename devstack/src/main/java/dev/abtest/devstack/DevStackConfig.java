package dev.abtest.devstack;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.TemporalSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the dev stack starts and where, read once from the environment.
 *
 * @param dataDir {@code DEVSTACK_DIR}: every file the stack keeps (default {@code .devstack})
 * @param databaseUrl {@code POSTGRESQL_URL}: use this database instead of the embedded one
 * @param temporalMode {@code DEVSTACK_TEMPORAL}: who runs the Temporal server (default {@code
 *     auto})
 * @param temporalAddress {@code TEMPORAL_ADDRESS} (default 127.0.0.1:7233)
 * @param uiPort {@code DEVSTACK_UI_PORT}: the dev server's Web UI (default 8233; 0 picks a free
 *     port)
 * @param httpPort {@code HTTP_PORT} of the starter (default 8080; 0 picks a free port)
 * @param workerHttpPort {@code DEVSTACK_WORKER_HTTP_PORT}: the worker's ops endpoints (default
 *     8081; 0 picks a free port)
 * @param resetSeeds {@code DEVSTACK_RESET_SEEDS=true}: put the demo experiments back in their seed
 *     state
 */
public record DevStackConfig(
    Path dataDir,
    Optional<String> databaseUrl,
    TemporalMode temporalMode,
    String temporalAddress,
    int uiPort,
    int httpPort,
    int workerHttpPort,
    boolean resetSeeds) {

  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final int DEFAULT_WORKER_HTTP_PORT = 8081;
  public static final int DEFAULT_UI_PORT = 8233;

  /** {@code DEVSTACK_TEMPORAL}: who runs the Temporal server. */
  public enum TemporalMode {
    /** The CLI's dev server when a {@code temporal} binary is found, else the embedded one. */
    AUTO,
    /** The CLI's dev server ({@code temporal server start-dev}), required. */
    CLI,
    /** The Java test server, in memory, in this process. */
    EMBEDDED,
    /** Whatever server listens at {@code TEMPORAL_ADDRESS}; the dev stack starts none. */
    EXTERNAL
  }

  public static DevStackConfig fromEnv(Env env) {
    TemporalMode mode = env.choice("DEVSTACK_TEMPORAL", TemporalMode.class, TemporalMode.AUTO);
    String address = env.string("TEMPORAL_ADDRESS", TemporalSettings.DEFAULT_ADDRESS);
    if (mode != TemporalMode.EXTERNAL) {
      requireLoopback(address);
    }
    return new DevStackConfig(
        Path.of(env.string("DEVSTACK_DIR", ".devstack")).toAbsolutePath().normalize(),
        env.optional("POSTGRESQL_URL"),
        mode,
        address,
        env.port("DEVSTACK_UI_PORT", DEFAULT_UI_PORT),
        env.port("HTTP_PORT", DEFAULT_HTTP_PORT),
        env.port("DEVSTACK_WORKER_HTTP_PORT", DEFAULT_WORKER_HTTP_PORT),
        env.flag("DEVSTACK_RESET_SEEDS", false));
  }

  /** True when the dev stack starts a Temporal server itself. */
  public boolean startsTemporal() {
    return temporalMode != TemporalMode.EXTERNAL;
  }

  /** The port of {@code TEMPORAL_ADDRESS}, on which the embedded server listens. */
  public int temporalPort() {
    return Integer.parseInt(temporalAddress.substring(temporalAddress.lastIndexOf(':') + 1));
  }

  private static void requireLoopback(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? "" : address.substring(0, colon);
    String port = colon < 0 ? "" : address.substring(colon + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      throw new ConfigException(
          "TEMPORAL_ADDRESS must be host:port (for example 127.0.0.1:7233), got '" + address + "'");
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(host.replaceAll("^\\[|]$", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (!loopback) {
      throw new ConfigException(
          "TEMPORAL_ADDRESS is "
              + address
              + ", but the Temporal server the dev stack starts listens on 127.0.0.1 only: give a 127.0.0.1"
              + " address, or set DEVSTACK_TEMPORAL=external to use the server at that address");
    }
  }
}
