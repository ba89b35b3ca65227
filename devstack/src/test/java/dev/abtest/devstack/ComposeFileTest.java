package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ActivationContract;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.HttpSettings;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.store.DatabaseSettings;
import io.temporal.envconfig.ClientConfigProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine where the build runs, so docker-compose.yml is checked statically
 * against the code: the settings the processes read, the ports they serve, the services they must
 * reach, the search attributes the workflow sets and the jars the Dockerfiles promise.
 */
class ComposeFileTest {
  private static final List<String> APP_SERVICES = List.of("worker", "starter");

  /** An all-caps name with an underscore in a string literal: how the code names a variable. */
  private static final Pattern ENV_LITERAL = Pattern.compile("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\"");

  private static final Pattern REQUIRED_READ =
      Pattern.compile("\\.required\\(\\s*\"([A-Z0-9_]+)\"");
  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?}");
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(SECRET|TOKEN|API_KEY|PRIVATE|PASSWORD|PWD).*");

  private static Path root;
  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  static void load() throws IOException {
    root = repositoryRoot();
    try (Reader reader = Files.newBufferedReader(root.resolve("docker-compose.yml"))) {
      Map<String, Object> compose = new Yaml().load(reader);
      services = cast(compose.get("services"));
    }
    assertThat(services).containsKeys("postgresql", "temporal", "worker", "starter");
  }

  @Test
  void everyImageIsPinnedToAVersion() {
    services.forEach(
        (name, service) -> {
          String image = (String) service.get("image");
          assertThat(image).as("image of %s", name).isNotBlank();
          int slash = image.lastIndexOf('/');
          int colon = image.indexOf(':', slash + 1);
          assertThat(colon).as("%s: %s has no tag", name, image).isPositive();
          String tag = image.substring(colon + 1);
          assertThat(tag).as("%s: %s", name, image).isNotEqualTo("latest").matches(".*\\d.*");
          if (!service.containsKey("build")) {
            // A pulled image: an exact version (major.minor.patch or major.minor), not a moving
            // major tag.
            assertThat(tag).as("%s: %s", name, image).matches("v?\\d+\\.\\d+(\\.\\d+)?([-.].+)?");
          }
        });
  }

  @Test
  void workerAndStarterSetOnlySettingsTheCodeReads() throws IOException {
    for (String name : APP_SERVICES) {
      Set<String> read = namesReadBy(name);
      assertThat(environment(name).keySet())
          .as("settings of %s that no code of %s reads (typo or dead setting)", name, name)
          .allSatisfy(key -> assertThat(read).contains(key));
    }
  }

  @Test
  void workerAndStarterSetEveryRequiredSettingAndTheContractsOnes() throws IOException {
    for (String name : APP_SERVICES) {
      Set<String> read = namesReadBy(name);
      Set<String> required = requiredBy(name);
      assertThat(environment(name).keySet()).as("%s environment", name).containsAll(required);
      // The contract's configuration: without these a container would fall back to loopback
      // defaults.
      List<String> contract =
          List.of(
              "POSTGRESQL_URL",
              "TEMPORAL_ADDRESS",
              "TEMPORAL_NAMESPACE",
              "TEMPORAL_TASK_QUEUE",
              "LOG_LEVEL",
              "HTTP_HOST",
              "HTTP_PORT");
      assertThat(read).as("names the code of %s reads", name).containsAll(contract);
      assertThat(environment(name).keySet()).as("%s environment", name).containsAll(contract);
    }
    Set<String> starterReads = namesReadBy("starter");
    assertThat(starterReads).contains("AUTH_MODE", "AUTH_JWT_SECRET");
    assertThat(environment("starter")).containsKeys("AUTH_MODE", "AUTH_JWT_SECRET");
  }

  @Test
  void workerAndStarterPointAtTheTemporalServiceGrpcPort() {
    Map<String, Object> temporal = services.get("temporal");
    for (String name : APP_SERVICES) {
      Map<String, String> env = resolved(name);
      TemporalSettings settings =
          TemporalSettings.fromEnv(new Env(env), ActivationContract.DEFAULT_TASK_QUEUE);
      assertThat(settings.address()).as("%s TEMPORAL_ADDRESS", name).startsWith("temporal:");
      int port = Integer.parseInt(settings.address().substring("temporal:".length()));
      assertThat(containerPorts(temporal)).as("temporal's published ports").contains(port);
      assertThat(healthcheck(temporal)).as("temporal health check").contains(String.valueOf(port));
      assertThat(settings.taskQueue()).isEqualTo(ActivationContract.DEFAULT_TASK_QUEUE);
      assertThat(settings.namespace())
          .isEqualTo(resolved("temporal-namespace").get("TEMPORAL_NAMESPACE"));
      assertThat(dependsOn(name)).containsKey("temporal-namespace");
    }
    assertThat(resolved("temporal-ui").get("TEMPORAL_ADDRESS"))
        .isEqualTo(resolved("worker").get("TEMPORAL_ADDRESS"));
  }

  @Test
  void workerAndStarterPointAtTheApplicationDatabaseWithItsOwnCredentials() {
    Map<String, String> db = resolved("postgresql");
    for (String name : APP_SERVICES) {
      DatabaseSettings settings = DatabaseSettings.parse(resolved(name).get("POSTGRESQL_URL"));
      String database = db.getOrDefault("POSTGRES_DB", db.get("POSTGRES_USER"));
      assertThat(settings.redactedUrl())
          .as("%s POSTGRESQL_URL", name)
          .isEqualTo("postgresql:5432/" + database);
      assertThat(settings.user()).isEqualTo(db.get("POSTGRES_USER"));
      assertThat(settings.password()).isEqualTo(db.get("POSTGRES_PASSWORD"));
      // Same variable and default on both sides, so overriding it changes both.
      assertThat(String.valueOf(environment(name).get("POSTGRESQL_URL")))
          .contains((String) environment("postgresql").get("POSTGRES_PASSWORD"));
    }
    assertThat(containerPorts(services.get("postgresql"))).contains(5432);
    assertThat(healthcheck(services.get("postgresql")))
        .contains("pg_isready", db.get("POSTGRES_USER"), "5432");
  }

  @Test
  void httpPortsAgreeWithPublishedPortsAndHealthChecks() {
    for (String name : APP_SERVICES) {
      HttpSettings http = HttpSettings.fromEnv(new Env(resolved(name)), 0);
      assertThat(http.host())
          .as("%s must listen beyond the container's loopback", name)
          .isEqualTo("0.0.0.0");
      assertThat(containerPorts(services.get(name)))
          .as("%s published ports", name)
          .contains(http.port());
      assertThat(healthcheck(services.get(name)))
          .as("%s health check", name)
          .contains("127.0.0.1:" + http.port() + "/readyz");
    }
    assertThat(resolved("worker").get("HTTP_PORT"))
        .isNotEqualTo(resolved("starter").get("HTTP_PORT"));
  }

  @Test
  void publishedPortsListenOnLoopbackOnly() {
    services.forEach(
        (name, service) -> {
          for (Object port : list(service.get("ports"))) {
            assertThat(String.valueOf(port))
                .as("published port of %s", name)
                .startsWith("127.0.0.1:");
          }
        });
  }

  @Test
  void everyLongRunningServiceHasAHealthCheckAndEveryDependencyWaitsForIt() {
    services.forEach(
        (name, service) -> {
          boolean oneShot = "no".equals(String.valueOf(service.get("restart")));
          assertThat(service.containsKey("healthcheck") || oneShot)
              .as("%s has a health check (or is a one-shot step)", name)
              .isTrue();
          dependsOn(name)
              .forEach(
                  (target, condition) -> {
                    assertThat(services)
                        .as("%s depends on a service that exists", name)
                        .containsKey(target);
                    String expected =
                        services.get(target).containsKey("healthcheck")
                            ? "service_healthy"
                            : "service_completed_successfully";
                    assertThat(condition).as("%s waits for %s", name, target).isEqualTo(expected);
                  });
        });
    assertThat(dependsOn("temporal"))
        .containsEntry("temporal-schema", "service_completed_successfully");
    for (String name : APP_SERVICES) {
      assertThat(dependsOn(name)).containsEntry("postgresql", "service_healthy");
    }
  }

  @Test
  void theSetupStepsRegisterTheWorkflowsSearchAttributesWithScriptsThatExist() throws IOException {
    String attributes = resolved("temporal-namespace").get("SEARCH_ATTRIBUTES");
    assertThat(attributes.split("\\s+"))
        .contains(
            ActivationContract.EXPERIMENT_ID.getName() + "=Keyword",
            ActivationContract.ACTIVATION_OUTCOME.getName() + "=Keyword",
            ActivationContract.ACTIVATION_SCHEDULED_FOR.getName() + "=Datetime");
    for (String step : List.of("temporal-schema", "temporal-namespace")) {
      for (Object volume : list(services.get(step).get("volumes"))) {
        Path script = root.resolve(String.valueOf(volume).split(":")[0]).normalize();
        assertThat(script).as("script mounted into %s", step).isRegularFile();
      }
    }
    String namespaceScript = Files.readString(root.resolve("docker/temporal/create-namespace.sh"));
    assertThat(namespaceScript)
        .contains("SEARCH_ATTRIBUTES", "search-attribute create", "namespace create");
    String schemaScript = Files.readString(root.resolve("docker/temporal/setup-schema.sh"));
    assertThat(schemaScript).contains("temporal_visibility", "setup-schema", "update-schema");
    assertThat(resolved("temporal-schema").get("SQL_PLUGIN"))
        .isEqualTo(resolved("temporal").get("DB"));
  }

  @Test
  void theSchemaStepUsesTheSqlToolsFlagsAsItDefinesThem() throws IOException {
    String schemaScript = Files.readString(root.resolve("docker/temporal/setup-schema.sh"));
    // In temporal-sql-tool, --db is a global flag (before the command); create takes only
    // --defaultdb, so `create --db x` exits with "flag provided but not defined: -db".
    assertThat(schemaScript)
        .doesNotContainPattern("(create|setup-schema|update-schema)[^\n]*--db")
        .containsPattern("temporal-sql-tool --db \"\\$db\" create\\s*\\n")
        .containsPattern("temporal-sql-tool --db \"\\$db\" setup-schema -v 0\\.0\\s*\\n")
        .containsPattern("temporal-sql-tool --db \"\\$db\" update-schema -d ")
        // Run always, like Temporal's own compose setup: no branch on the outcome of create.
        .doesNotContain("already exists");
    // The process test (ProductionTopologyIT) runs these steps against the real tool.
  }

  @Test
  void theNamespaceStepRetriesTheCreationAndTheServerHasNoTestingOnlySettings() throws IOException {
    String namespaceScript = Files.readString(root.resolve("docker/temporal/create-namespace.sh"));
    assertThat(namespaceScript).containsPattern("retry \\d+ create_namespace");
    String dynamicConfig = Files.readString(root.resolve("docker/temporal/dynamicconfig.yaml"));
    assertThat(dynamicConfig.lines().filter(line -> !line.startsWith("#")))
        .noneMatch(line -> line.contains("forceSearchAttributesCacheRefreshOnRead"));
    // The shard count is fixed at the first start: set on purpose, not the image's default of 4.
    assertThat(resolved("temporal").get("NUM_HISTORY_SHARDS")).isEqualTo("512");
  }

  @Test
  void temporalServerAndAdminToolsShareOneReleaseAndBothDatabasesOneImage() {
    String server = tag("temporal");
    assertThat(tag("temporal-schema")).isEqualTo(server);
    assertThat(tag("temporal-namespace")).isEqualTo(server);
    assertThat(services.get("postgresql").get("image"))
        .isEqualTo(services.get("temporal-postgresql").get("image"));
    // scripts/install-temporal-server builds exactly this version for the process test.
    assertThat(server).matches("\\d+\\.\\d+\\.\\d+");
  }

  @Test
  void theDockerfilesLockTheirSharedMavenCache() throws IOException {
    for (String name : APP_SERVICES) {
      Map<String, Object> build = cast(services.get(name).get("build"));
      String text = Files.readString(root.resolve(String.valueOf(build.get("dockerfile"))));
      assertThat(text).contains("--mount=type=cache,target=/root/.m2,sharing=locked");
    }
  }

  private static String tag(String service) {
    String image = String.valueOf(services.get(service).get("image"));
    return image.substring(image.lastIndexOf(':') + 1);
  }

  @Test
  void dockerfilesBuildTheJarsTheBuildPromisesAndRunAsNonRoot() throws IOException {
    for (String name : APP_SERVICES) {
      Map<String, Object> build = cast(services.get(name).get("build"));
      assertThat(root.resolve(String.valueOf(build.get("context"))).normalize()).isEqualTo(root);
      Path dockerfile = root.resolve(String.valueOf(build.get("dockerfile")));
      assertThat(dockerfile).isRegularFile();
      String text = Files.readString(dockerfile);
      assertThat(text)
          .contains("-pl " + name + " -am package", name + "/target/" + name + ".jar", "-jar")
          .containsPattern("(?m)^USER (?!root|0\\b)\\S+")
          .doesNotContainPattern("(?m)^(ENV|ARG)\\s+\\S*(SECRET|TOKEN|PASSWORD|API_KEY)");
      // The jar the Dockerfile copies is the one the module's shade step writes (Build outputs).
      assertThat(Files.readString(root.resolve(name).resolve("pom.xml")))
          .contains("<outputFile>${project.build.directory}/" + name + ".jar</outputFile>");
    }
    String ignored = Files.readString(root.resolve(".dockerignore"));
    assertThat(ignored).contains("target/", ".devstack/");
  }

  @Test
  void noSecretIsWrittenInTheFile() {
    services.forEach(
        (name, service) ->
            environment(name)
                .forEach(
                    (key, raw) -> {
                      String value = String.valueOf(raw);
                      if (!SECRET_NAME.matcher(key).matches()) {
                        return;
                      }
                      assertThat(value)
                          .as("%s.%s comes from the environment", name, key)
                          .matches("\\$\\{[A-Z0-9_]+(:?[-?][^}]*)?}");
                      if (!key.contains("PASSWORD") && !key.contains("PWD")) {
                        // Signing keys and tokens have no default at all: compose refuses to start.
                        assertThat(value).as("%s.%s", name, key).doesNotContain(":-");
                      }
                    }));
    assertThat(environment("starter").get("AUTH_JWT_SECRET"))
        .asString()
        .startsWith("${AUTH_JWT_SECRET:?");
  }

  /** Names the code of a process reads: literals in its sources and Temporal's envconfig. */
  private static Set<String> namesReadBy(String service) throws IOException {
    Set<String> names = new TreeSet<>(literals(service, ENV_LITERAL));
    String temporalSettings =
        Files.readString(
            root.resolve("runtime/src/main/java/dev/abtest/runtime/TemporalSettings.java"));
    if (temporalSettings.contains("ClientConfigProfile.load")) {
      names.addAll(envconfigNames());
    }
    return names;
  }

  private static Set<String> requiredBy(String service) throws IOException {
    return literals(service, REQUIRED_READ);
  }

  private static Set<String> literals(String service, Pattern pattern) throws IOException {
    Set<String> names = new TreeSet<>();
    for (String module : List.of(service, "runtime", "store")) {
      Path sources = root.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(sources)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(sources)) {
        for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher matcher = pattern.matcher(Files.readString(file));
          while (matcher.find()) {
            names.add(matcher.group(1));
          }
        }
      }
    }
    return names;
  }

  /** The TEMPORAL_* variables temporal-envconfig reads, taken from its own classes. */
  private static Set<String> envconfigNames() throws IOException {
    Set<String> names = new TreeSet<>();
    Path jar;
    try {
      jar =
          Path.of(
              ClientConfigProfile.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Pattern name = Pattern.compile("TEMPORAL_[A-Z_]*[A-Z]");
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        if (entry.getName().endsWith(".class")) {
          Matcher matcher = name.matcher(new String(readAll(zip), StandardCharsets.ISO_8859_1));
          while (matcher.find()) {
            names.add(matcher.group());
          }
        }
      }
    }
    assertThat(names).contains("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE");
    return names;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  private static Map<String, Object> environment(String service) {
    Object env = services.get(service).get("environment");
    Map<String, Object> result = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> map) {
      map.forEach((k, v) -> result.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    } else {
      for (Object entry : list(env)) {
        String[] kv = String.valueOf(entry).split("=", 2);
        result.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
    }
    return result;
  }

  /** The environment as compose would pass it with no variables set: defaults applied. */
  private static Map<String, String> resolved(String service) {
    Map<String, String> result = new LinkedHashMap<>();
    environment(service).forEach((k, v) -> result.put(k, interpolate(String.valueOf(v))));
    return result;
  }

  private static String interpolate(String value) {
    Matcher matcher = INTERPOLATION.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String operator = matcher.group(2);
      String replacement;
      if (operator == null) {
        replacement = "";
      } else if (operator.endsWith("-")) {
        replacement = matcher.group(3);
      } else {
        // A required variable: stand in a value, as the user must give one.
        replacement = "given-" + matcher.group(1).toLowerCase();
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static Map<String, String> dependsOn(String service) {
    Object deps = services.get(service).get("depends_on");
    Map<String, String> result = new LinkedHashMap<>();
    if (deps instanceof Map<?, ?> map) {
      map.forEach(
          (target, spec) ->
              result.put(
                  String.valueOf(target), String.valueOf(((Map<?, ?>) spec).get("condition"))));
    } else {
      // The short list form has no condition: it only orders container starts.
      list(deps).forEach(target -> result.put(String.valueOf(target), "none"));
    }
    return result;
  }

  private static List<Integer> containerPorts(Map<String, Object> service) {
    List<Integer> ports = new ArrayList<>();
    for (Object port : list(service.get("ports"))) {
      String[] parts = String.valueOf(port).split(":");
      ports.add(Integer.parseInt(parts[parts.length - 1].split("/")[0]));
    }
    return ports;
  }

  private static String healthcheck(Map<String, Object> service) {
    Map<String, Object> check = cast(service.get("healthcheck"));
    assertThat(check).isNotNull();
    Object test = check.get("test");
    return test instanceof List<?> parts
        ? String.join(" ", parts.stream().map(String::valueOf).toList())
        : String.valueOf(test);
  }

  private static List<?> list(Object value) {
    return value == null ? List.of() : (List<?>) value;
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory with docker-compose.yml").isNotNull();
    return dir;
  }
}
