package dev.abtest.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Who runs the PostgreSQL processes. initdb and postgres refuse to run as root, so under root they
 * run as {@code nobody} through util-linux {@code setpriv}; otherwise as the current user.
 */
record RunAs(boolean dropPrivileges, int uid, int gid) {

  static RunAs detect() throws IOException {
    if (currentUid() != 0) {
      return new RunAs(false, -1, -1);
    }
    return new RunAs(true, idOf("-u"), idOf("-g"));
  }

  /** The command prefixed so that it runs as the unprivileged user when needed. */
  List<String> command(List<String> command) {
    if (!dropPrivileges) {
      return command;
    }
    List<String> wrapped = new ArrayList<>();
    wrapped.add("setpriv");
    wrapped.add("--reuid=" + uid);
    wrapped.add("--regid=" + gid);
    wrapped.add("--clear-groups");
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /** Hands a directory (recursively) or file to the unprivileged user. */
  void own(Path path) throws IOException {
    if (!dropPrivileges) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.toList()) {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /**
   * Fails with a clear message when the unprivileged user cannot reach {@code directory}: every
   * ancestor must be searchable (x) by it.
   */
  void checkTraversable(Path directory) throws IOException {
    if (!dropPrivileges) {
      return;
    }
    for (Path p = directory.getParent(); p != null; p = p.getParent()) {
      int mode = (Integer) Files.getAttribute(p, "unix:mode");
      int owner = (Integer) Files.getAttribute(p, "unix:uid");
      int group = (Integer) Files.getAttribute(p, "unix:gid");
      int bit = owner == uid ? 0100 : group == gid ? 0010 : 0001;
      if ((mode & bit) == 0) {
        throw new IOException(
            "PostgreSQL runs as the unprivileged user 'nobody' (uid "
                + uid
                + ") because initdb/postgres refuse root, but it cannot traverse "
                + p
                + " (mode "
                + Integer.toOctalString(mode & 0777)
                + "). Run `chmod o+x "
                + p
                + "` or choose a directory outside it (e.g. under /tmp or /var/tmp) for "
                + directory);
      }
    }
  }

  private static int currentUid() throws IOException {
    // The JDK exposes the real uid only through a non-exported class; `id -u` is portable.
    return Integer.parseInt(run(List.of("id", "-u")));
  }

  private static int idOf(String flag) throws IOException {
    try {
      return Integer.parseInt(run(List.of("id", flag, "nobody")));
    } catch (IOException e) {
      throw new IOException(
          "Running as root: PostgreSQL needs an unprivileged user but `id "
              + flag
              + " nobody` failed: "
              + e.getMessage(),
          e);
    }
  }

  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted running " + command, e);
    }
  }
}
