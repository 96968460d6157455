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
  private static String serializer;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    return get("local[2]");
  }

  public static synchronized SparkSession get(String wanted) {
    return get(wanted, JAVA_SERIALIZER);
  }

  /** Spark's default serializer for data, task results and broadcasts. */
  public static final String JAVA_SERIALIZER = "org.apache.spark.serializer.JavaSerializer";
  /** The serializer many clusters configure instead ({@code spark.serializer}). */
  public static final String KRYO_SERIALIZER = "org.apache.spark.serializer.KryoSerializer";

  /** A session on {@code wanted} whose {@code spark.serializer} is {@code withSerializer}. */
  public static synchronized SparkSession get(String wanted, String withSerializer) {
    if (session != null && wanted.equals(master) && withSerializer.equals(serializer)
        && !session.sparkContext().isStopped()) {
      return session;
    }
    stop();
    SparkConf conf = SparkSessions.defaults(new SparkConf(), wanted)
        .set("spark.ui.enabled", "false")
        .set("spark.sql.shuffle.partitions", "4")
        .set("spark.app.name", "sparkprop-tests")
        .set("spark.serializer", withSerializer);
    session = SparkSession.builder().config(conf).getOrCreate();
    master = wanted;
    serializer = withSerializer;
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
      serializer = null;
    }
  }
}
