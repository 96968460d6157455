package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;
import org.sparkprop.train.ModelSelection.Candidate;

/** Cross-validated choice between configs: the folds, the score and the tie rule. */
class ModelSelectionTest {

  private static TrainConfig.Builder adam(String network, String loss) {
    return TrainConfig.builder().network(network).loss(loss).init("he").optimizer("adam")
        .learningRate(1e-3).batchSize(128).epochs(200).minSteps(1000).patience(10).seed(5);
  }

  private static TrainConfig.Builder lbfgs(String network, String loss) {
    return TrainConfig.builder().network(network).loss(loss).init("he").optimizer("lbfgs")
        .epochs(200).seed(5);
  }

  @Test
  void everyRowIsHeldOutExactlyOnce() {
    int n = 23;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;                                            // the feature is the row's index
    }
    Block data = new Block(n, 1, 1, x, new float[n], null, "rows");
    int[] shuffled = Blocks.identity(n);
    new org.sparkprop.linalg.Rng(9).shuffle(shuffled, n);
    int[] heldOutCount = new int[n];
    for (int f = 0; f < 5; f++) {
      Block[] split = ModelSelection.fold(data, shuffled, f, 5);
      assertEquals(n, split[0].rows() + split[1].rows());
      assertTrue(split[1].rows() == 4 || split[1].rows() == 5, "near-equal folds: " + split[1].rows());
      boolean[] seen = new boolean[n];
      for (float v : split[0].x()) {
        seen[(int) v] = true;
      }
      for (float v : split[1].x()) {
        assertTrue(!seen[(int) v], "row " + (int) v + " both trains and is held out");
        heldOutCount[(int) v]++;
      }
    }
    int[] once = new int[n];
    java.util.Arrays.fill(once, 1);
    assertArrayEquals(once, heldOutCount);
  }

  @Test
  void noisyLinearDataChoosesTheLinearModel() {
    // 150 rows of y = x·β + b + noise: the network can only add variance.
    Block data = ToySets.linear(150, 8, 1.0, 3).block();
    ModelSelection.Choice c = ModelSelection.choose(List.of(
        new Candidate("network", adam("8-100relu-1", "squared").build()),
        new Candidate("linear", lbfgs("8-1", "squared").build())), data, 5, 1);
    assertEquals("linear", c.winner().name(), c.describe());
    assertEquals("mean loss", c.scoreName());
    assertEquals(c.cvLoss()[1], c.cvScore()[1], 0, "regression is scored by its loss");
  }

  @Test
  void xorChoosesTheNetworkByItsErrorRate() {
    Block data = ToySets.xor(300, 0.1, 4);
    ModelSelection.Choice c = ModelSelection.choose(List.of(
        new Candidate("linear", lbfgs("2-2", "cross_entropy").build()),
        new Candidate("network", adam("2-100relu-2", "cross_entropy").build())), data, 5, 1);
    assertEquals("network", c.winner().name(), c.describe());
    assertEquals("error rate", c.scoreName());
    assertTrue(c.cvScore()[0] > 0.3, "a line cannot split XOR: " + c.describe());
    assertTrue(c.cvScore()[1] < 0.1, c.describe());
  }

  @Test
  void aDivergingCandidateLosesInsteadOfFailingTheChoice() {
    Block data = ToySets.twoMoons(100, 0.1, 2);
    TrainConfig blowsUp = TrainConfig.builder().network("2-100relu-2").loss("cross_entropy")
        .optimizer("sgd").learningRate(1e30).batchSize(32).epochs(5).patience(0).seed(1).build();
    ModelSelection.Choice c = ModelSelection.choose(List.of(new Candidate("diverges", blowsUp),
        new Candidate("linear", lbfgs("2-2", "cross_entropy").build())), data, 5, 1);
    assertEquals("linear", c.winner().name(), c.describe());
    assertEquals(Double.POSITIVE_INFINITY, c.cvScore()[0]);
    assertThrows(DivergenceException.class, () -> new LocalTrainer(blowsUp).fit(data, null),
        "the candidate does diverge when trained alone");
  }

  @Test
  void aTieGoesToTheEarlierCandidateAndBadFoldsAreRefused() {
    Block data = ToySets.twoMoons(60, 0.1, 2);
    TrainConfig same = lbfgs("2-2", "cross_entropy").build();
    ModelSelection.Choice c = ModelSelection.choose(List.of(new Candidate("first", same),
        new Candidate("second", same)), data, 3, 1);
    assertEquals(c.cvScore()[0], c.cvScore()[1], 0, "the same config, the same folds, the same score");
    assertEquals("first", c.winner().name());
    List<Candidate> one = List.of(new Candidate("only", same));
    assertThrows(IllegalArgumentException.class, () -> ModelSelection.choose(one, data, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> ModelSelection.choose(one, data, 61, 1));
    assertThrows(IllegalArgumentException.class, () -> ModelSelection.choose(List.of(), data, 3, 1));
  }
}
