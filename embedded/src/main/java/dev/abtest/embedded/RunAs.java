package dev.abtest.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who runs the PostgreSQL processes (initdb, pg_ctl, postgres), which refuse to run with uid 0.
 *
 * <ul>
 *   <li>Not root: the current user, nothing changes.
 *   <li>Root, user namespaces available ({@link Mode#USER_NAMESPACE}): util-linux {@code unshare
 *       --user --map-user=<nobody> --map-group=<nogroup>} puts each command in a new user namespace
 *       where the caller's uid and gid appear as {@code nobody}'s. Inside, the uid is not 0 and no
 *       capability survives the exec; to the kernel the processes are still the caller, so they
 *       reach any directory the caller owns (a mode-700 {@code mktemp -d} parent included), the
 *       files they create belong to the caller, and files the caller owns look like theirs
 *       (PostgreSQL checks that the data directory is owned by its uid). pg_ctl's postgres inherits
 *       the namespace; every process keeps the machine's pid, IPC and network namespaces, so
 *       postmaster.pid, shared memory, the loopback port and signals from the caller work as
 *       without a namespace.
 *   <li>Root, user namespaces unavailable (disabled, or refused by a container's seccomp profile)
 *       ({@link Mode#NOBODY}): {@code nobody} itself through {@code setpriv}; then every ancestor
 *       of the directory must be traversable by others, checked with a clear message.
 * </ul>
 */
final class RunAs {
  private static final Logger log = LoggerFactory.getLogger(RunAs.class);

  enum Mode {
    CURRENT_USER,
    USER_NAMESPACE,
    NOBODY
  }

  /**
   * Why user namespaces cannot be used on this machine, probed once per JVM; empty when they can.
   */
  private static Optional<String> userNamespaceProblem;

  private final Mode mode;
  // nobody's ids: the identity inside the namespace, or the one setpriv switches to
  private final int innerUid;
  private final int innerGid;
  // who owns the server's files as the kernel sees it: the caller (namespace) or nobody (setpriv)
  private final int ownerUid;
  private final int ownerGid;
  private final Set<Integer> ownerGroups;
  private final String fallbackReason;

  private RunAs(
      Mode mode,
      int innerUid,
      int innerGid,
      int ownerUid,
      int ownerGid,
      Set<Integer> ownerGroups,
      String fallbackReason) {
    this.mode = mode;
    this.innerUid = innerUid;
    this.innerGid = innerGid;
    this.ownerUid = ownerUid;
    this.ownerGid = ownerGid;
    this.ownerGroups = ownerGroups;
    this.fallbackReason = fallbackReason;
  }

  /**
   * The identity for this process: {@code allowUserNamespace} false skips the namespace (the tests
   * of the {@code nobody} path use it).
   */
  static RunAs detect(boolean allowUserNamespace) throws IOException {
    int uid = Integer.parseInt(run(List.of("id", "-u")));
    if (uid != 0) {
      return new RunAs(Mode.CURRENT_USER, -1, -1, -1, -1, Set.of(), null);
    }
    int nobodyUid = idOfNobody("-u");
    int nobodyGid = idOfNobody("-g");
    Optional<String> problem =
        allowUserNamespace
            ? userNamespaceProblem(nobodyUid, nobodyGid)
            : Optional.of("turned off for this instance");
    if (problem.isEmpty()) {
      int gid = Integer.parseInt(run(List.of("id", "-g")));
      Set<Integer> groups =
          Arrays.stream(run(List.of("id", "-G")).split("\\s+"))
              .map(Integer::valueOf)
              .collect(Collectors.toUnmodifiableSet());
      return new RunAs(Mode.USER_NAMESPACE, nobodyUid, nobodyGid, uid, gid, groups, null);
    }
    return new RunAs(
        Mode.NOBODY, nobodyUid, nobodyGid, nobodyUid, nobodyGid, Set.of(nobodyGid), problem.get());
  }

  Mode mode() {
    return mode;
  }

  /** Whether this JVM runs as root (PostgreSQL then runs in a namespace or as nobody). */
  boolean isRoot() {
    return mode != Mode.CURRENT_USER;
  }

  /** The uid that owns the server's files as the kernel sees it; -1 when nothing is changed. */
  int ownerUid() {
    return ownerUid;
  }

  /** The command prefixed so that it runs as a non-root user when needed. */
  List<String> command(List<String> command) {
    List<String> wrapped = new ArrayList<>();
    switch (mode) {
      case CURRENT_USER -> {
        return command;
      }
      case USER_NAMESPACE -> {
        wrapped.add("unshare");
        wrapped.add("--user");
        wrapped.add("--map-user=" + innerUid);
        wrapped.add("--map-group=" + innerGid);
      }
      case NOBODY -> {
        wrapped.add("setpriv");
        wrapped.add("--reuid=" + innerUid);
        wrapped.add("--regid=" + innerGid);
        wrapped.add("--clear-groups");
      }
    }
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Gives a directory (recursively) or file to the server's owner where another one holds it: a
   * cluster created by the other root mode (nobody's files taken over by the namespace, or back).
   */
  void own(Path path) throws IOException {
    if (mode == Mode.CURRENT_USER) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(path)) {
      all = new ArrayList<>(walk.toList());
    }
    // Children first, path last: a start reads the top's owner to decide whether to walk, so an
    // interrupted walk is walked again.
    Collections.reverse(all);
    for (Path p : all) {
      if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != ownerUid) {
        Files.setAttribute(p, "unix:uid", ownerUid, LinkOption.NOFOLLOW_LINKS);
      }
      if ((Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS) != ownerGid) {
        Files.setAttribute(p, "unix:gid", ownerGid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /**
   * Fails with a clear message when the server's user cannot reach {@code directory}: every
   * ancestor must be searchable (x) by it. In the namespace that user is the caller without its
   * capabilities, so a directory root reaches only through them (another user's mode-700 home) is
   * reported too; as {@code nobody} the ancestors need o+x ({@code directory} itself is opened up
   * by the caller).
   */
  void checkTraversable(Path directory) throws IOException {
    if (mode == Mode.CURRENT_USER) {
      return;
    }
    Path first = mode == Mode.USER_NAMESPACE ? directory : directory.getParent();
    for (Path p = first; p != null; p = p.getParent()) {
      int mode = (Integer) Files.getAttribute(p, "unix:mode");
      int owner = (Integer) Files.getAttribute(p, "unix:uid");
      int group = (Integer) Files.getAttribute(p, "unix:gid");
      int bit = owner == ownerUid ? 0100 : ownerGroups.contains(group) ? 0010 : 0001;
      if ((mode & bit) == 0) {
        throw new IOException(notTraversable(p, mode, owner, directory));
      }
    }
  }

  private String notTraversable(Path p, int mode, int owner, Path directory) {
    String where = " (mode " + Integer.toOctalString(mode & 0777) + ", owner uid " + owner + ")";
    if (this.mode == Mode.USER_NAMESPACE) {
      return "PostgreSQL runs in a user namespace as root without its privileges (initdb/postgres"
          + " refuse root), but it cannot traverse "
          + p
          + where
          + ". Choose a directory root owns for "
          + directory
          + ", or run `chmod o+x "
          + p
          + "`";
    }
    return "PostgreSQL runs as the unprivileged user 'nobody' (uid "
        + innerUid
        + ") because initdb/postgres refuse root and user namespaces are unavailable ("
        + fallbackReason
        + "), but it cannot traverse "
        + p
        + where
        + ". Run `chmod o+x "
        + p
        + "` or choose a directory outside it (e.g. under /tmp or /var/tmp) for "
        + directory;
  }

  /** Runs {@code id -u} in a namespace as the server would; empty when it answers nobody's uid. */
  private static synchronized Optional<String> userNamespaceProblem(int uid, int gid)
      throws IOException {
    if (userNamespaceProblem == null) {
      String problem;
      try {
        String out =
            run(
                List.of(
                    "unshare",
                    "--user",
                    "--map-user=" + uid,
                    "--map-group=" + gid,
                    "--",
                    "id",
                    "-u"));
        problem = out.equals(Integer.toString(uid)) ? null : "unshare answered " + firstLine(out);
      } catch (IOException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e; // says nothing about namespaces: probe again next time
        }
        problem = firstLine(String.valueOf(e.getMessage()));
      }
      userNamespaceProblem = Optional.ofNullable(problem);
      if (problem != null) {
        log.info(
            "User namespaces are unavailable ({}): under root PostgreSQL runs as 'nobody' through"
                + " setpriv, so every ancestor of its directory must be traversable by others",
            problem);
      }
    }
    return userNamespaceProblem;
  }

  private static int idOfNobody(String flag) throws IOException {
    try {
      return Integer.parseInt(run(List.of("id", flag, "nobody")));
    } catch (IOException | NumberFormatException e) {
      throw new IOException(
          "Running as root: PostgreSQL needs the unprivileged user 'nobody' but `id "
              + flag
              + " nobody` failed: "
              + e.getMessage(),
          e);
    }
  }

  private static String firstLine(String s) {
    String trimmed = s.strip();
    int nl = trimmed.indexOf('\n');
    return nl < 0 ? trimmed : trimmed.substring(0, nl);
  }

  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted running " + command, e);
    }
  }
}
