package dev.abtest.devstack;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as the process test reads it: each service's environment with compose's {@code
 * ${VAR:-default}} / {@code ${VAR:?message}} interpolation resolved against the variables a user
 * would export or put in {@code .env}, its image, entrypoint, and where a path mounted into the
 * container lives in the checkout.
 */
final class ComposeServices {
  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?}");

  private final Path root;
  private final Map<String, Map<String, Object>> services;
  private final Map<String, String> userVariables;

  private ComposeServices(
      Path root, Map<String, Map<String, Object>> services, Map<String, String> userVariables) {
    this.root = root;
    this.services = services;
    this.userVariables = userVariables;
  }

  /** The file at the checkout's root, interpolated with {@code userVariables} only. */
  static ComposeServices load(Path root, Map<String, String> userVariables) throws IOException {
    try (Reader reader = Files.newBufferedReader(root.resolve("docker-compose.yml"))) {
      Map<String, Object> compose = new Yaml().load(reader);
      return new ComposeServices(root, cast(compose.get("services")), Map.copyOf(userVariables));
    }
  }

  /** The environment compose gives the service's container, in the file's order. */
  Map<String, String> environment(String service) {
    Map<String, Object> raw = cast(service(service).getOrDefault("environment", Map.of()));
    Map<String, String> env = new LinkedHashMap<>();
    raw.forEach((key, value) -> env.put(key, interpolate(String.valueOf(value))));
    return env;
  }

  String image(String service) {
    return interpolate(String.valueOf(service(service).get("image")));
  }

  /** The image's tag: {@code temporalio/server:1.32.2} gives {@code 1.32.2}. */
  String imageTag(String service) {
    String image = image(service);
    return image.substring(image.lastIndexOf(':') + 1);
  }

  List<String> entrypoint(String service) {
    List<Object> entrypoint = cast(service(service).get("entrypoint"));
    return entrypoint.stream().map(String::valueOf).toList();
  }

  /** The checkout file mounted at {@code containerPath} (a {@code ./x:/container/path} volume). */
  Path hostPathOf(String service, String containerPath) {
    List<Object> volumes = cast(service(service).getOrDefault("volumes", List.of()));
    for (Object volume : volumes) {
      String[] parts = String.valueOf(volume).split(":");
      if (parts.length >= 2 && parts[1].equals(containerPath) && parts[0].startsWith(".")) {
        return root.resolve(parts[0]).normalize();
      }
    }
    throw new IllegalArgumentException(
        service + " mounts nothing from the checkout at " + containerPath);
  }

  private Map<String, Object> service(String name) {
    Map<String, Object> service = services.get(name);
    if (service == null) {
      throw new IllegalArgumentException("docker-compose.yml has no service " + name);
    }
    return service;
  }

  /** Compose's rules: {@code :-} and {@code :?} also apply to an empty variable. */
  private String interpolate(String value) {
    Matcher matcher = INTERPOLATION.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String operator = matcher.group(2);
      String argument = matcher.group(3) == null ? "" : matcher.group(3);
      String set = userVariables.get(name);
      boolean present =
          set != null && (operator == null || !operator.startsWith(":") || !set.isEmpty());
      String replacement;
      if (present) {
        replacement = set;
      } else if (operator == null) {
        replacement = "";
      } else if (operator.endsWith("-")) {
        replacement = argument;
      } else {
        throw new IllegalStateException("compose would refuse to start: " + name + ": " + argument);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }
}
