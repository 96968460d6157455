package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;

class EpochPlanTest {

  @Test
  void everyRowOnceAndEveryStepNonEmptyEvenWithMorePartitionsThanBatchRows() {
    int[][] layouts = {{1, 1, 1, 5}, {30000, 30000}, {0, 7, 0, 493}, {3}, {2, 2, 2, 2, 2}};
    int[] batches = {1, 2, 3, 128, 0};
    for (int[] sizes : layouts) {
      for (int b : batches) {
        int steps = EpochPlan.stepsPerEpoch(sizes, b);
        int largest = java.util.Arrays.stream(sizes).max().orElse(0);
        assertTrue(steps >= 1 && steps <= largest, "S=" + steps);
        long total = 0;
        for (int s = 0; s < steps; s++) {
          int rows = 0;
          for (int n : sizes) {
            rows += EpochPlan.chunkStart(n, s + 1, steps) - EpochPlan.chunkStart(n, s, steps);
          }
          assertTrue(rows > 0, "step " + s + " of " + java.util.Arrays.toString(sizes) + " B=" + b);
          total += rows;
        }
        assertEquals(java.util.Arrays.stream(sizes).sum(), total, "every row once per epoch");
      }
    }
    assertEquals(469, EpochPlan.stepsPerEpoch(new int[] {30000, 30000}, 128));
    assertEquals(1, EpochPlan.stepsPerEpoch(new int[] {30000, 30000}, 0), "full batch");
  }

  @Test
  void onlineSgdOverManyTinyShardsTrains() {
    Block data = ToySets.blobs(40, 2, 2, 0.5, 1);
    List<Block> shards = new ArrayList<>(Blocks.shards(data, 8));
    TrainConfig c = TrainConfig.builder().network("2-2").init("zeros").optimizer("sgd")
        .learningRate(0.1).batchSize(1).epochs(5).build();
    TrainingResult r = new LocalTrainer(c).fit(shards, null, null);
    assertEquals(5L * 5, r.steps(), "S = largest shard (5 rows): steps of 8 rows, one per shard");
    assertTrue(r.model().evaluate(data).accuracy() > 0.9);
  }

  @Test
  void permutationsAreSeededPerEpochAndPartition() {
    int[] a = new int[50];
    int[] b = new int[50];
    EpochPlan.permutation(1, 0, 0, true, a, 50);
    EpochPlan.permutation(1, 0, 0, true, b, 50);
    assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    EpochPlan.permutation(1, 1, 0, true, b, 50);
    assertTrue(!java.util.Arrays.equals(a, b), "another epoch, another order");
    EpochPlan.permutation(1, 0, 1, true, b, 50);
    assertTrue(!java.util.Arrays.equals(a, b), "another partition, another order");
    EpochPlan.permutation(1, 0, 0, false, b, 50);
    assertEquals(java.util.Arrays.toString(Blocks.identity(50)), java.util.Arrays.toString(b));
  }
}
