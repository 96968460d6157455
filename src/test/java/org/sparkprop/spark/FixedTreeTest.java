package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.TrainConfig;

/**
 * Issue 12: with more than two partitions the merge order of treeAggregate followed the tasks'
 * completion order, so an executor kill at 4 partitions gave other weights. The fixed tree sums
 * in an order set by partition index alone.
 */
class FixedTreeTest {

  static JavaSparkContext sc;

  @BeforeAll
  static void spark() {
    sc = SparkTestSession.jsc();
  }

  /** Partition i's partial: values of mixed magnitude, so that another order rounds differently. */
  static float[] values(int i, int n) {
    Random r = new Random(i * 31L + 7);
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
    }
    return v;
  }

  /** The partials, partition i finishing after a delay set by {@code order} (faster first). */
  static JavaRDD<Partial> partials(int partitions, int n, boolean reversed) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      ids.add(i);
    }
    return sc.parallelize(ids, partitions).map(i -> {
      Thread.sleep(reversed ? 3L * (partitions - i) : 3L * i);
      Partial p = new Partial();
      p.vector = values(i, n);
      p.sums.lossSum = values(i, 1)[0];
      return p;
    });
  }

  static float[] fold(int from, int to, int n) {
    float[] acc = null;
    for (int i = from; i < to; i++) {
      float[] v = values(i, n);
      if (acc == null) {
        acc = v;
      } else {
        for (int k = 0; k < n; k++) {
          acc[k] += v[k];
        }
      }
    }
    return acc;
  }

  @Test
  void theSumIsTheFixedFoldWhateverTheCompletionOrder() {
    int n = 5000;
    // P = 4: the plain left fold in partition order.
    assertArrayEquals(fold(0, 4, n), FixedTree.sum(partials(4, n, false)).vector);
    assertArrayEquals(fold(0, 4, n), FixedTree.sum(partials(4, n, true)).vector);
    // P = 40 > 16: groups of max(16, ⌈√40⌉) = 16 partitions folded in order, then the groups.
    float[] expected = fold(0, 16, n);
    for (float[] g : List.of(fold(16, 32, n), fold(32, 40, n))) {
      for (int k = 0; k < n; k++) {
        expected[k] += g[k];
      }
    }
    assertArrayEquals(expected, FixedTree.sum(partials(40, n, false)).vector);
    assertArrayEquals(expected, FixedTree.sum(partials(40, n, true)).vector);
    // The plain left fold over all 40 rounds differently: the shape matters, and is fixed.
    assertNotEquals(java.util.Arrays.toString(fold(0, 40, n)), java.util.Arrays.toString(expected));
  }

  /** Sync mode at 4 partitions: tasks finishing in another order give bitwise the same weights. */
  @Test
  void trainingAtFourPartitionsIsBitwiseTheSameWhateverTheTaskTiming() {
    Block data = ToySets.twoMoons(800, 0.2, 9);
    TrainConfig cfg = TrainConfig.builder().network("2-16tanh-2").init("xavier").learningRate(0.05)
        .optimizer("adam").batchSize(32).epochs(2).build();
    SparkTrainConfig sync = SparkTrainConfig.defaults().withMode(SyncMode.SYNC).withReplicas(4);
    float[][] weights = new float[2][];
    for (int run = 0; run < 2; run++) {
      boolean reversed = run == 1;
      DistributedTrainer t = new DistributedTrainer(sc, cfg, sync).taskHook((p, step, attempt) ->
          Thread.sleep(step % 5 == 0 ? (reversed ? 4L * (3 - p) : 4L * p) : 0));
      weights[run] = t.fit(SparkData.distribute(sc, data, 4), null, false).model().params();
    }
    assertArrayEquals(weights[0], weights[1]);
  }
}
