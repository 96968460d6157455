package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;
import org.sparkprop.nn.Network;

class GradientWorkerTest {

  /**
   * Issue 12: batch-norm running statistics moved once per micro-batch, so a step of several
   * micro-batches took several momentum steps. Now a step of 2 micro-batches moves them once: to the
   * rows-weighted mean of what each micro-batch alone would give from the same start.
   */
  @Test
  void batchNormStatisticsMoveOncePerCallWhateverTheMicroBatches() {
    Network net = TrainConfig.builder().network("2-6relu+bn-2").build().buildNetwork();
    float[] params = net.initParams(org.sparkprop.nn.Init.HE, 3);
    Block data = ToySets.twoMoons(96, 0.1, 5);
    int[] idx = Blocks.identity(data.rows());
    float[] start = net.initState();
    for (int i = 0; i < start.length; i++) {
      start[i] = 0.3f + 0.01f * i;                         // some earlier statistics
    }
    // Two calls of one micro-batch each, from the same start, averaged by rows (64 and 32).
    float[] a = start.clone();
    new GradientWorker(net, 64).accumulate(data, idx, 0, 64, params, a, 7, null);
    float[] b = start.clone();
    new GradientWorker(net, 64).accumulate(data, idx, 64, 96, params, b, 7, null);
    float[] expected = new float[start.length];
    for (int i = 0; i < start.length; i++) {
      expected[i] = (64f / 96) * a[i] + (32f / 96) * b[i];
    }
    float[] both = start.clone();
    new GradientWorker(net, 64).accumulate(data, idx, 0, 96, params, both, 7, null);
    for (int i = 0; i < start.length; i++) {
      assertEquals(expected[i], both[i], 1e-6 * (1 + Math.abs(expected[i])), "state " + i);
    }
  }
}
