package org.sparkprop.testing;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk behind a scheme of its own ({@code sptest:///tmp/x} is /tmp/x), so tests can
 * drive the paths that go through Hadoop's file systems (as hdfs: and s3a: do) without HDFS.
 * Registered with {@code spark.hadoop.fs.sptest.impl}.
 */
public final class OtherSchemeFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "sptest";

  /** Makes the scheme known to this JVM's Hadoop configurations (as spark.hadoop.* settings). */
  public static void register() {
    System.setProperty("spark.hadoop.fs." + SCHEME + ".impl", OtherSchemeFileSystem.class.getName());
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }
}
