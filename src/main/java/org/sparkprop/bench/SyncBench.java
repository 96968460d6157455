package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.RunStats;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/**
 * {@code scripts/bench.sh sync}: what one synchronous step's synchronisation costs, in
 * {@code sync} mode (a Spark job per step) and in {@code allreduce} mode (steps all-reduced inside
 * one barrier stage), for the 235k-parameter MLP 784-256relu-128relu-10 and a 10M-parameter MLP
 * 784-4096relu-1664relu-10, on one master with one replica per task slot. Per step:
 * sync cost = (wall − the tasks' mean compute − the driver's update) / steps, so a stage's launch
 * and rendezvous count, spread over its steps. For allreduce also the bytes each step puts on the
 * wire (all ranks) and the bus bandwidth 2(R−1)/R · bytes of the vector / time in all-reduce calls.
 * SGD with small batches keeps compute short; the numbers do not depend on it. Last line:
 * {@code {"bench":"sync-cost", "job_ms", "collective_ms", "ratio"}} for the 235k MLP.
 *
 * <p>Usage: SyncBench MASTER REPLICAS [APP_JAR]
 */
public final class SyncBench {

  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    String master = args[0];
    int replicas = Integer.parseInt(args[1]);
    SparkSession spark = BenchSession.start(master, "sync", args.length > 2 ? args[2] : null, 0);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      ObjectNode small = null;
      for (String net : new String[] {"784-256relu-128relu-10", "784-4096relu-1664relu-10"}) {
        boolean large = net.startsWith("784-4096");
        int batch = large ? 4 : 16;
        int syncSteps = large ? 12 : 150;
        int stageSteps = large ? 40 : 600;
        ObjectNode job = run(sc, master, net, SyncMode.SYNC, replicas, batch, syncSteps);
        ObjectNode coll = run(sc, master, net, SyncMode.ALLREDUCE, replicas, batch, stageSteps);
        if (!large) {
          small = JSON.createObjectNode();
          small.put("bench", "sync-cost");
          small.put("master", master);
          small.put("job_ms", job.get("sync_ms_per_step").asDouble());
          small.put("collective_ms", coll.get("sync_ms_per_step").asDouble());
          small.put("ratio", r(coll.get("sync_ms_per_step").asDouble()
              / job.get("sync_ms_per_step").asDouble()));
        }
      }
      System.out.println(small);
    } finally {
      spark.stop();
    }
  }

  static ObjectNode run(JavaSparkContext sc, String master, String net, SyncMode mode, int replicas,
                        int batch, int steps) {
    Block data = ToySets.blobs(replicas * batch * steps, 10, 784, 1.0, 7);
    JavaRDD<Block> rdd = SparkData.distribute(sc, data, replicas);
    TrainConfig cfg = TrainConfig.builder().network(net).optimizer("sgd").learningRate(1e-3)
        .batchSize(batch).epochs(2).build();
    SparkTrainConfig dist = SparkTrainConfig.defaults().withMode(mode).withReplicas(replicas)
        .withLrScaling("none", 0);
    // The first epoch warms up (JIT, connections, caches); the second is measured alone.
    new DistributedTrainer(sc, cfg.toBuilder().epochs(1).build(), dist).fit(rdd, null, false);
    DistributedTrainer t = new DistributedTrainer(sc, cfg.toBuilder().epochs(1).build(), dist);
    TrainingResult res = t.fit(rdd, null, false);
    RunStats st = t.stats();
    long s = res.steps();
    double syncMs = (st.wallSeconds - st.taskComputeSeconds - st.driverSeconds) / s * 1e3;
    long params = cfg.buildNetwork().paramCount();
    ObjectNode o = JSON.createObjectNode();
    o.put("bench", "sync-run");
    o.put("master", master);
    o.put("network", net);
    o.put("params", params);
    o.put("mode", mode.configName());
    o.put("replicas", st.replicas);
    o.put("steps", s);
    o.put("jobs", st.jobs);
    o.put("wall_ms_per_step", r(st.wallSeconds / s * 1e3));
    o.put("compute_ms_per_step", r((st.taskComputeSeconds + st.driverSeconds) / s * 1e3));
    o.put("sync_ms_per_step", r(syncMs));
    if (mode == SyncMode.ALLREDUCE) {
      double inCalls = st.collectiveSeconds / s;
      o.put("allreduce_call_ms_per_step", r(inCalls * 1e3));
      o.put("wire_bytes_per_step", st.collectiveBytes / s);
      double vectorBytes = 4.0 * params;
      o.put("bus_bandwidth_gb_s", r(2.0 * (st.replicas - 1) / st.replicas * vectorBytes / inCalls / 1e9));
      o.put("rendezvous_ms", r(st.rendezvousSeconds * 1e3));
      o.put("shared_memory_links", st.sharedMemoryLinks + " of " + st.collectiveLinks);
    } else {
      o.put("wire_bytes_per_step", 2L * 4 * params * st.replicas);     // broadcast + partials
    }
    System.out.println(o);
    return o;
  }

  static double r(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
  }
}
