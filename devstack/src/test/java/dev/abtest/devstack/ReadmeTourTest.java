package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's tour ("How an activation flows") names the files and methods where decisions are
 * made: every path it names must exist, and every method must be declared in its class (found
 * beside a named path): {@code `Class.method`}, or {@code `method()`} for the class last named, so
 * that a rename elsewhere breaks this test, not the tour.
 */
class ReadmeTourTest {
  private static final String SECTION = "## How an activation flows";
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern CLASS_METHOD = Pattern.compile("([A-Z]\\w*)\\.([a-z]\\w*)");
  private static final Pattern METHOD = Pattern.compile("([a-z]\\w*)\\(\\)");

  @Test
  void everyPathAndMethodTheTourNamesExists() throws IOException {
    Path root = repositoryRoot();
    String tour = section(Files.readString(root.resolve("README.md")));
    Set<Path> paths = new LinkedHashSet<>();
    List<String> bareFiles = new ArrayList<>();
    List<String[]> methods = new ArrayList<>();
    String lastClass = null;
    Matcher m = CODE.matcher(tour);
    while (m.find()) {
      String token = m.group(1);
      Matcher cm = CLASS_METHOD.matcher(token);
      Matcher method = METHOD.matcher(token);
      if (token.contains("/") && (token.endsWith(".java") || token.endsWith(".sql"))) {
        paths.add(root.resolve(token));
        String name = Path.of(token).getFileName().toString();
        lastClass = name.endsWith(".java") ? name.substring(0, name.length() - 5) : lastClass;
      } else if (token.endsWith(".java")) {
        bareFiles.add(token);
      } else if (cm.matches()) {
        methods.add(new String[] {cm.group(1), cm.group(2)});
        lastClass = cm.group(1);
      } else if (method.matches()) {
        assertThat(lastClass).as("a class named before %s", token).isNotNull();
        methods.add(new String[] {lastClass, method.group(1)});
      }
    }
    assertThat(paths).as("paths named in the tour").hasSizeGreaterThanOrEqualTo(6);
    assertThat(methods).as("Class.method named in the tour").hasSizeGreaterThanOrEqualTo(6);
    for (Path p : paths) {
      assertThat(p).as("named in the tour").isRegularFile();
    }
    for (String file : bareFiles) {
      assertThat(beside(paths, file)).as("%s beside a path the tour names", file).isPresent();
    }
    for (String[] cm : methods) {
      Optional<Path> file = beside(paths, cm[0] + ".java");
      assertThat(file).as("%s.java beside a path the tour names", cm[0]).isPresent();
      Pattern declaration =
          Pattern.compile(
              "^\\s+(?:(?:public|protected|private|static|final|synchronized)\\s+)*"
                  + "(?!return\\b|new\\b|throw\\b)[\\w<>\\[\\], ?.]+\\s+"
                  + Pattern.quote(cm[1])
                  + "\\s*\\(",
              Pattern.MULTILINE);
      assertThat(declaration.matcher(Files.readString(file.get())).find())
          .as("%s declares %s", file.get(), cm[1])
          .isTrue();
    }
  }

  private static String section(String readme) {
    int start = readme.indexOf(SECTION);
    assertThat(start).as("README section %s", SECTION).isNotNegative();
    int end = readme.indexOf("\n## ", start + SECTION.length());
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static Optional<Path> beside(Set<Path> paths, String fileName) {
    return paths.stream()
        .map(p -> p.resolveSibling(fileName))
        .filter(Files::isRegularFile)
        .findFirst();
  }

  /** Surefire runs in the module's directory, one level below the README. */
  private static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("README.md")).isRegularFile();
    return root;
  }
}
