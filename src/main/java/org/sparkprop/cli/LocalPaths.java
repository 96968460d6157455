package org.sparkprop.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Paths the command line reads and writes on the local disk: a plain path, or a {@code file:} URI
 * ({@code file:///data/x}, {@code file:/data/x}). Another scheme ({@code hdfs:}, {@code s3a:}) is
 * refused with what to do instead, never taken as a local folder named {@code hdfs:}.
 */
final class LocalPaths {

  private LocalPaths() {}

  /** {@code value} as a local path; {@code what} names the option or setting in errors. */
  static Path of(String value, String what) {
    String scheme = scheme(value);
    if (scheme == null) {
      return Path.of(value);
    }
    if (scheme.equals("file")) {
      try {
        return Path.of(new URI(value));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new IllegalArgumentException(what + " '" + value + "' is not a valid file: URI ("
            + e.getMessage() + "); write file:///absolute/path or a plain path");
      }
    }
    throw new IllegalArgumentException(what + " '" + value + "' is on a " + scheme + ": file "
        + "system, which this command reads and writes only locally: give a local path (or file: "
        + "URI), copying with `hadoop fs -get` before or `hadoop fs -put` after; Parquet sources, "
        + "the Spark trainer's checkpoints and Spark ML models take any Hadoop path");
  }

  /** The URI scheme of {@code value}, or null for a plain path (a Windows drive letter is a path). */
  static String scheme(String value) {
    try {
      String s = new URI(value).getScheme();
      return s == null || s.length() < 2 ? null : s.toLowerCase(java.util.Locale.ROOT);
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
