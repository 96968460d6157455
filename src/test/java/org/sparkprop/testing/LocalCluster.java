package org.sparkprop.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A real multi-JVM Spark cluster for tests: {@code local-cluster[2,1,1024]} runs a Master and two
 * Workers in the test JVM, and each Worker launches an executor as a separate java process.
 * Workers build that command from SPARK_HOME/jars (surefire sets SPARK_HOME=target/spark-home), so
 * we fill it with links to the test classpath's jars; our own classes reach the executors through
 * spark.executor.extraClassPath. The cluster runs {@code spark.serializer = KryoSerializer}, as
 * many real clusters do, so comparing its weights with local[2]'s (Java serializer) checks Kryo
 * across JVMs too.
 */
public final class LocalCluster {

  public static final String MASTER = "local-cluster[4,1,768]";
  public static final int EXECUTORS = 4;

  private LocalCluster() {}

  /** Prepares SPARK_HOME and returns the shared session on the cluster. */
  public static JavaSparkContext start() {
    String home = System.getenv("SPARK_HOME");
    if (home == null) {
      throw new IllegalStateException("SPARK_HOME is not set (surefire sets it to target/spark-home)");
    }
    Path jars = Path.of(home, "jars");
    StringBuilder own = new StringBuilder();
    try {
      Files.createDirectories(jars);
      // Links left by another classpath (an earlier Spark version: two lz4-java jars) go first.
      try (var old = Files.list(jars)) {
        for (Path link : old.toList()) {
          Files.delete(link);
        }
      }
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(entry).toAbsolutePath();
        if (entry.endsWith(".jar")) {
          Path link = jars.resolve(p.getFileName());
          if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, p);
          }
        } else if (Files.isDirectory(p)) {
          own.append(own.length() == 0 ? "" : File.pathSeparator).append(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.setProperty("spark.executor.extraClassPath", own.toString());
    System.setProperty("spark.executor.memory", "768m");
    try {
      return JavaSparkContext.fromSparkContext(SparkTestSession.get(MASTER,
          SparkTestSession.KRYO_SERIALIZER).sparkContext());
    } finally {
      System.clearProperty("spark.executor.extraClassPath");
      System.clearProperty("spark.executor.memory");
    }
  }

  /** The process ids of the executors that run tasks (forces every executor to run one). */
  public static List<Long> executorPids(JavaSparkContext sc) {
    List<Integer> many = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(i);
    }
    return sc.parallelize(many, 40).map(i -> {
      Thread.sleep(20);
      return ProcessHandle.current().pid();
    }).distinct().collect();
  }
}
