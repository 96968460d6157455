package org.sparkprop.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.spark.SparkSessions;

/** The SparkSession every benchmark main starts: Sparkprop's defaults, no UI. */
final class BenchSession {

  private BenchSession() {}

  /**
   * @param appJar the jars (comma-separated) to ship to a cluster's executors, or null (local masters)
   * @param coresMax spark.cores.max for a cluster, or 0 for all of it
   */
  static SparkSession start(String master, String name, String appJar, int coresMax) {
    SparkConf conf = SparkSessions.defaults(new SparkConf(), master).set("spark.ui.enabled", "false")
        .set("spark.app.name", "sparkprop-bench-" + name);
    if (appJar != null) {
      conf.set("spark.jars", appJar);
    }
    if (!master.startsWith("local")) {
      conf.setIfMissing("spark.executor.memory", "1500m");
      if (coresMax > 0) {
        conf.setIfMissing("spark.cores.max", Integer.toString(coresMax));
      }
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
