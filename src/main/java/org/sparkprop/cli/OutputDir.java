package org.sparkprop.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.sparkprop.spark.HadoopFileStore;
import org.sparkprop.train.FileStore;
import org.sparkprop.train.LocalFileStore;

/**
 * A folder the command line writes into (a run's outputs, its model, the local trainer's
 * checkpoints) or reads a model from. One rule for every such path: a plain path or a
 * {@code file:} URI is the local disk; any other scheme ({@code hdfs:}, {@code s3a:}, ...) goes
 * through Hadoop's file systems, configured as Spark configures them (core-site.xml from
 * {@code HADOOP_CONF_DIR} or the classpath, plus {@code spark.hadoop.*} settings).
 */
final class OutputDir {

  private final Path local;          // null on a Hadoop file system
  private final String uri;          // the folder, for Hadoop and for messages

  private OutputDir(Path local, String uri) {
    this.local = local;
    this.uri = uri;
  }

  /** {@code value} as given to the option or setting {@code what}. */
  static OutputDir of(String value, String what) {
    String scheme = LocalPaths.scheme(value);
    if (scheme == null || scheme.equals("file")) {
      Path p = LocalPaths.of(value, what);
      return new OutputDir(p, p.toString());
    }
    return new OutputDir(null, value.replaceAll("/+$", ""));
  }

  boolean isLocal() {
    return local != null;
  }

  /** A subfolder. */
  OutputDir child(String name) {
    return local != null ? new OutputDir(local.resolve(name), local.resolve(name).toString())
        : new OutputDir(null, uri + "/" + FileStore.checkName(name));
  }

  /** The folder's files. */
  FileStore store() {
    if (local != null) {
      return new LocalFileStore(local);
    }
    try {
      return new HadoopFileStore(uri, hadoopConf());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Creates the folder now, so an unwritable one fails before any work rather than after it. */
  void create() throws IOException {
    if (local != null) {
      java.nio.file.Files.createDirectories(local);
    } else {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
      p.getFileSystem(hadoopConf()).mkdirs(p);
    }
  }

  /** Writes a whole file (created or replaced). */
  void write(String name, String text) throws IOException {
    try (OutputStream out = store().create(name)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Where it is: a local path (absolute) or the URI as given. */
  String location() {
    return local != null ? local.toAbsolutePath().toString() : uri;
  }

  @Override
  public String toString() {
    return location();
  }

  /** Hadoop's configuration as Spark builds it for this JVM: its files and spark.hadoop.*. */
  static Configuration hadoopConf() {
    Configuration conf = new Configuration();
    for (scala.Tuple2<String, String> kv : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
      conf.set(kv._1(), kv._2());
    }
    return conf;
  }
}
