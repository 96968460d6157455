package org.sparkprop.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Sparkprop's recommended Spark settings, applied when it creates the session itself (command line,
 * benchmarks, tests). Settings already present (spark-submit --conf, spark-defaults.conf) win.
 */
public final class SparkSessions {

  private SparkSessions() {}

  /**
   * Defaults for training jobs:
   * <ul>
   *   <li>{@code spark.task.maxDirectResultSize=64m}: a task's partial result (gradients, or weights
   *       and optimizer state in local SGD: ~3 MB for a 235k-parameter MLP) goes back with the
   *       status message instead of through the block manager, which cost ~90 ms per job here;</li>
   *   <li>{@code spark.driver.maxResultSize=2g}, room for many partitions' partials;</li>
   *   <li>{@code spark.serializer.objectStreamReset=1}: Spark's Java serializer keeps everything it
   *       wrote since its last reset reachable (by default up to 100 objects), so writing a
   *       partition of 16 MB blocks to disk held up to 1.6 GB and ran 1 GB executors out of
   *       memory; a block per reset costs a class descriptor (~100 bytes) per block;</li>
   *   <li>in local mode, driver host and bind address 127.0.0.1 (this machine's hostname resolves
   *       to loopback, and Spark would otherwise pick another interface);</li>
   *   <li>with {@code spark.authenticate} on and no secret in the conf, the secret a standalone
   *       Worker hands the processes it launches ({@code _SPARK_AUTH_SECRET}, as it does for
   *       executors): a driver in cluster deploy mode is such a process, and Spark's own
   *       authentication set-up requires the secret in the conf there.</li>
   * </ul>
   */
  public static SparkConf defaults(SparkConf conf, String master) {
    setIfMissing(conf, "spark.task.maxDirectResultSize", "64m");
    setIfMissing(conf, "spark.driver.maxResultSize", "2g");
    setIfMissing(conf, "spark.serializer.objectStreamReset", "1");
    setIfMissing(conf, "spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
    if (master != null) {
      setIfMissing(conf, "spark.master", master);
    }
    String m = conf.get("spark.master", "local[*]");
    if (m.startsWith("local")) {
      setIfMissing(conf, "spark.driver.host", "127.0.0.1");
      setIfMissing(conf, "spark.driver.bindAddress", "127.0.0.1");
    }
    setIfMissing(conf, "spark.app.name", "sparkprop");
    String workerSecret = System.getenv("_SPARK_AUTH_SECRET");
    if (conf.getBoolean("spark.authenticate", false) && workerSecret != null) {
      setIfMissing(conf, "spark.authenticate.secret", workerSecret);
    }
    return conf;
  }

  /** A session with the defaults above; {@code master} null keeps spark-submit's. */
  public static SparkSession create(String master, boolean ui) {
    SparkConf conf = defaults(new SparkConf(), master);
    setIfMissing(conf, "spark.ui.enabled", Boolean.toString(ui));
    return SparkSession.builder().config(conf).getOrCreate();
  }

  private static void setIfMissing(SparkConf conf, String key, String value) {
    if (!conf.contains(key)) {
      conf.set(key, value);
    }
  }
}
