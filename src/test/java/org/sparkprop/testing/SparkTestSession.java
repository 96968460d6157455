package org.sparkprop.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.spark.SparkSessions;

/**
 * One SparkSession shared by the whole test suite (a session costs ~7 s to start). Test classes
 * that need another master (task retries on local[2,3], a multi-JVM cluster) ask for it here; the
 * current session is stopped first, since a JVM holds one SparkContext at a time.
 */
public final class SparkTestSession {

  private static SparkSession session;
  private static String master;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    return get("local[2]");
  }

  public static synchronized SparkSession get(String wanted) {
    if (session != null && wanted.equals(master) && !session.sparkContext().isStopped()) {
      return session;
    }
    stop();
    SparkConf conf = SparkSessions.defaults(new SparkConf(), wanted)
        .set("spark.ui.enabled", "false")
        .set("spark.sql.shuffle.partitions", "4")
        .set("spark.app.name", "sparkprop-tests");
    session = SparkSession.builder().config(conf).getOrCreate();
    master = wanted;
    return session;
  }

  public static JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(get().sparkContext());
  }

  public static synchronized void stop() {
    if (session != null) {
      session.stop();
      session = null;
      master = null;
    }
  }
}
