package org.sparkprop.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.spark.SparkSessions;

/**
 * The Spark session of a command that reads or writes through Spark (evaluate, predict): the one
 * spark-submit or an embedding application already runs, or one of its own with Sparkprop's
 * defaults ({@code --master}, else {@code spark.master} of the config), stopped at the end only if
 * the command started it.
 */
final class CommandSession implements AutoCloseable {

  final SparkSession spark;
  final JavaSparkContext sc;
  private final boolean own;

  CommandSession(String master, RunConfig rc) {
    SparkConf conf = new SparkConf();
    if (master != null) {
      conf.setMaster(master);
    }
    SparkSessions.defaults(conf, rc.string("spark.master"));
    own = SparkSession.getDefaultSession().isEmpty();
    spark = SparkSession.builder().config(conf).getOrCreate();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @Override
  public void close() {
    if (own) {
      spark.stop();
    }
  }
}
