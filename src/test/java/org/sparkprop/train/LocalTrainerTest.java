package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;

class LocalTrainerTest {

  static TrainConfig.Builder moons() {
    return TrainConfig.builder().network("2-16tanh-16tanh-2").init("xavier").learningRate(0.01)
        .batchSize(32).epochs(20);
  }

  static double accuracy(Model m, Block b) {
    return m.evaluate(b).accuracy();
  }

  @Test
  void learnsTheToySets() {
    Block moons = ToySets.twoMoons(600, 0.1, 1);
    assertTrue(accuracy(new LocalTrainer(moons().build()).fit(moons, null).model(), moons) > 0.97);
    Block xor = ToySets.xor(400, 0.05, 2);
    TrainConfig xc = moons().network("2-8tanh-2").learningRate(0.03).epochs(40).build();
    assertTrue(accuracy(new LocalTrainer(xc).fit(xor, null).model(), xor) > 0.95);
    Block circles = ToySets.circles(400, 0.5, 0.05, 3);
    TrainConfig cc = moons().network("2-16relu+bn-16relu+dropout(0.1)-2").init("he").build();
    assertTrue(accuracy(new LocalTrainer(cc).fit(circles, null).model(), circles) > 0.95,
        "batch norm and dropout networks train too");
  }

  @Test
  void sameSeedAndThreadsGiveBitIdenticalWeights() {
    Block data = ToySets.twoMoons(500, 0.2, 4);
    for (int threads : new int[] {1, 2}) {
      TrainConfig c = moons().threads(threads).epochs(3).network("2-16relu+dropout(0.2)-2").build();
      float[] a = new LocalTrainer(c).fit(data, null).model().params();
      float[] b = new LocalTrainer(c).fit(data, null).model().params();
      assertArrayEquals(a, b, "threads=" + threads);
      float[] other = new LocalTrainer(c.toBuilder().seed(2).build()).fit(data, null).model().params();
      assertFalse(Arrays.equals(a, other), "another seed, other weights");
    }
  }

  @Test
  void threadCountChangesOnlyTheSummationOrder() {
    Block data = ToySets.twoMoons(512, 0.2, 4);
    TrainConfig c = moons().epochs(1).build();
    float[] one = new LocalTrainer(c).fit(data, null).model().params();
    float[] two = new LocalTrainer(c.toBuilder().threads(2).build()).fit(data, null).model().params();
    for (int i = 0; i < one.length; i++) {
      assertEquals(one[i], two[i], 1e-4 * (1 + Math.abs(one[i])), "param " + i);
    }
  }

  @Test
  void onlineAndFullBatchGradientDescent() {
    Block data = ToySets.blobs(120, 3, 2, 0.5, 5);
    TrainConfig online = TrainConfig.builder().network("2-3").init("zeros").optimizer("sgd")
        .learningRate(0.05).batchSize(1).epochs(2).build();
    TrainingResult r = new LocalTrainer(online).fit(data, null);
    assertEquals(240, r.steps(), "batch size 1: one update per row");
    assertTrue(accuracy(r.model(), data) > 0.9);
    TrainConfig full = online.toBuilder().batchSize(0).learningRate(0.5).epochs(100).build();
    TrainingResult f = new LocalTrainer(full).fit(data, null);
    assertEquals(100, f.steps(), "full batch: one update per epoch");
    assertTrue(accuracy(f.model(), data) > 0.9);
    assertTrue(f.history().get(99).trainLoss() < f.history().get(0).trainLoss());
  }

  @Test
  void earlyStoppingRestoresTheBestEpoch() {
    Block train = ToySets.twoMoons(100, 0.35, 6);
    Block val = ToySets.twoMoons(400, 0.35, 7);
    TrainConfig c = moons().network("2-64relu-64relu-2").init("he").learningRate(0.02).batchSize(10)
        .epochs(300).patience(5).build();
    TrainingResult r = new LocalTrainer(c).fit(train, val);
    assertTrue(r.stoppedEarly(), "overfitting 100 noisy rows stops early");
    assertTrue(r.history().size() < 300);
    EpochMetrics best = r.history().get(r.bestEpoch() - 1);
    double restoredValLoss = r.model().evaluate(val).meanLoss();
    assertEquals(best.validationLoss(), restoredValLoss, 1e-9, "the returned model is the best epoch's");
    double bestSeen = r.history().stream().mapToDouble(EpochMetrics::validationLoss).min().orElseThrow();
    assertEquals(bestSeen, best.validationLoss(), 1e-12);
  }

  @Test
  void validationFractionHoldsRowsOut() {
    Block data = ToySets.twoMoons(500, 0.1, 1);
    TrainingResult r = new LocalTrainer(moons().epochs(2).validationFraction(0.2).build()).fit(data, null);
    assertTrue(r.history().get(1).hasValidation());
    assertEquals(2, r.history().size());
    assertEquals(400L * 2, r.history().stream().mapToLong(m -> Math.round(m.samplesPerSecond() * m.epochSeconds())).sum(), 2);
  }

  @Test
  void divergenceStopsNamingTheStepOrSkipsAndLowersTheRate() {
    Block data = ToySets.linear(200, 2, 0.1, 1).block();
    TrainConfig blowUp = TrainConfig.builder().network("2-1").loss("squared").optimizer("sgd")
        .learningRate(50).batchSize(20).epochs(20).build();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new LocalTrainer(blowUp).fit(data, null));
    assertTrue(e.getMessage().contains("diverged at step " + e.step()), e.getMessage());
    assertTrue(e.step() >= 2);
    TrainConfig skip = blowUp.toBuilder().onDivergence("skip").build();
    TrainingResult r = new LocalTrainer(skip).fit(data, null);
    assertTrue(r.skippedSteps() > 0);
    for (float p : r.model().params()) {
      assertTrue(Float.isFinite(p));
    }
  }

  @Test
  void perceptronLossWithBatchOneAndRateOneIsRosenblattsRule() {
    Block data = ToySets.blobs(60, 3, 2, 1.0, 8);
    TrainConfig c = TrainConfig.builder().network("2-3").loss("perceptron").init("zeros")
        .optimizer("sgd").learningRate(1).batchSize(1).epochs(1).shuffle(false).build();
    float[] trained = new LocalTrainer(c).fit(data, null).model().params();
    // The textbook multiclass perceptron: on a mistake, W_y += x, b_y += 1, W_ŷ −= x, b_ŷ −= 1.
    float[] w = new float[3 * 2 + 3];
    for (int r = 0; r < data.rows(); r++) {
      float x0 = data.x()[2 * r];
      float x1 = data.x()[2 * r + 1];
      int y = (int) data.y()[r];
      int best = 0;
      float bestScore = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < 3; k++) {
        float s = w[2 * k] * x0 + w[2 * k + 1] * x1 + w[6 + k];
        if (s > bestScore) {
          bestScore = s;
          best = k;
        }
      }
      if (best != y) {
        w[2 * y] += x0;
        w[2 * y + 1] += x1;
        w[6 + y] += 1;
        w[2 * best] -= x0;
        w[2 * best + 1] -= x1;
        w[6 + best] -= 1;
      }
    }
    assertArrayEquals(w, trained, 1e-5f);
  }

  @Test
  void oneVsRestAndOneVsOneAroundABinaryLinearSvm() {
    Block data = ToySets.blobs(600, 4, 6, 0.7, 3);
    TrainConfig svm = TrainConfig.builder().network("6-1").loss("hinge").init("zeros")
        .learningRate(0.05).batchSize(32).epochs(10).build();
    MulticlassEnsemble ovr = MulticlassEnsemble.fit(MulticlassEnsemble.Strategy.ONE_VS_REST, svm, data, 4);
    assertEquals(4, ovr.members().size());
    assertTrue(ovr.accuracy(data) > 0.85, "ovr " + ovr.accuracy(data));
    MulticlassEnsemble ovo = MulticlassEnsemble.fit(MulticlassEnsemble.Strategy.ONE_VS_ONE, svm, data, 4);
    assertEquals(6, ovo.members().size());
    assertTrue(ovo.accuracy(data) > 0.9, "ovo " + ovo.accuracy(data));
    assertThrows(IllegalArgumentException.class, () -> MulticlassEnsemble.fit(
        MulticlassEnsemble.Strategy.ONE_VS_REST, svm.toBuilder().network("6-3").build(), data, 4));
  }

  @Test
  void linearRegressionRecoversTheTruthWithAdamAndWithLbfgs() {
    ToySets.Regression reg = ToySets.linear(2000, 5, 0.1, 4);
    TrainConfig adam = TrainConfig.builder().network("5-1").loss("squared").init("zeros")
        .learningRate(0.05).schedule("cosine").batchSize(64).epochs(20).build();
    TrainConfig lbfgs = adam.toBuilder().optimizer("lbfgs").epochs(50).build();
    for (TrainConfig c : List.of(adam, lbfgs)) {
      Model m = new LocalTrainer(c).fit(reg.block(), null).model();
      for (int d = 0; d < 5; d++) {
        assertEquals(reg.beta()[d], m.params()[d], 0.02, c.optimizer() + " beta " + d);
      }
      assertEquals(reg.bias(), m.params()[5], 0.02);
      double rmse = Evaluator.metric(m.network(), m.evaluate(reg.block()));
      assertEquals(0.1, rmse, 0.01, c.optimizer() + ": RMSE is the noise level");
    }
  }

  @Test
  void lbfgsTrainsSoftmaxRegressionInFewIterations() {
    Block data = ToySets.blobs(300, 3, 2, 0.6, 9);
    TrainConfig c = TrainConfig.builder().network("2-3").init("zeros").optimizer("lbfgs").epochs(30)
        .build();
    TrainingResult r = new LocalTrainer(c).fit(data, null);
    assertTrue(accuracy(r.model(), data) > 0.95);
    assertTrue(r.steps() <= 30);
  }

  @Test
  void sampleWeightsActLikeRepeatedRows() {
    // Full-batch GD on {a, b} with weights {2, 1} equals full-batch GD on {a, a, b}.
    Block weighted = new Block(2, 2, 1, new float[] {1, 2, -1, 0.5f}, new float[] {0, 1},
        new float[] {2, 1}, "w");
    Block repeated = new Block(3, 2, 1, new float[] {1, 2, 1, 2, -1, 0.5f}, new float[] {0, 0, 1},
        null, "r");
    TrainConfig c = TrainConfig.builder().network("2-2").init("xavier").optimizer("sgd")
        .learningRate(0.3).batchSize(0).epochs(5).build();
    assertArrayEquals(new LocalTrainer(c).fit(repeated, null).model().params(),
        new LocalTrainer(c).fit(weighted, null).model().params(), 1e-6f);
  }

  @Test
  void augmentationRunsOnTrainingBatchesOnly() {
    Block data = ToySets.twoMoons(64, 0.1, 1);
    List<Integer> calls = new ArrayList<>();
    TrainConfig c = moons().epochs(1).batchSize(16).build();
    new LocalTrainer(c).augmentation((x, rows, f, rng) -> {
      calls.add(rows);
      x[0] += (float) rng.nextGaussian();
    }).fit(data, ToySets.twoMoons(50, 0.1, 2));
    assertEquals(List.of(16, 16, 16, 16), calls);
  }

  @Test
  void badTrainingDataIsRefusedBeforeAnyStep() {
    TrainConfig c = moons().build();
    Block badLabel = new Block(2, 2, 1, new float[4], new float[] {0, 2}, null, "t");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LocalTrainer(c).fit(badLabel, null));
    assertTrue(e.getMessage().contains("row 1: label 2 is out of range for 2 classes"), e.getMessage());
    Block nonInteger = new Block(1, 2, 1, new float[2], new float[] {0.5f}, null, "t");
    e = assertThrows(IllegalArgumentException.class, () -> new LocalTrainer(c).fit(nonInteger, null));
    assertTrue(e.getMessage().contains("not an integer"), e.getMessage());
    Block wide = new Block(1, 3, 1, new float[3], new float[] {0}, null, "t");
    e = assertThrows(IllegalArgumentException.class, () -> new LocalTrainer(c).fit(wide, null));
    assertTrue(e.getMessage().contains("data has 3 features but the network"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LocalTrainer(c).fit(Block.empty(2, 1, false), null));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder()
        .network("2-8relu+bn-2").optimizer("lbfgs").build());
    assertTrue(e.getMessage().contains("remove +bn and +dropout"), e.getMessage());
    Model m = new LocalTrainer(c.toBuilder().epochs(1).build()).fit(ToySets.twoMoons(50, 0.1, 1), null)
        .model();
    e = assertThrows(IllegalArgumentException.class, () -> m.evaluate(badLabel));
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
  }

  @Test
  void predictorGivesScoresClassesProbabilitiesAndSamples() {
    Block data = ToySets.blobs(300, 3, 2, 0.8, 2);
    Model m = new LocalTrainer(TrainConfig.builder().network("2-3").init("zeros").learningRate(0.05)
        .epochs(5).batchSize(16).scaling("standard").build()).fit(data, null).model();
    Predictor p = m.predictor(300);
    int[] classes = new int[300];
    p.classes(data.x(), 300, classes);
    float[] row = Arrays.copyOfRange(data.x(), 0, 2);
    double[] probs = p.probabilities(row);
    assertEquals(1.0, probs[0] + probs[1] + probs[2], 1e-9);
    int argmax = 0;
    for (int k = 1; k < 3; k++) {
      argmax = probs[k] > probs[argmax] ? k : argmax;
    }
    assertEquals(argmax, classes[0]);
    float[] same = new float[2 * 4000];
    for (int i = 0; i < 4000; i++) {
      same[2 * i] = 0.3f;
      same[2 * i + 1] = -0.2f;
    }
    double[] pr = p.probabilities(new float[] {0.3f, -0.2f});
    int[] draws = new int[4000];
    m.predictor(4000).sample(same, 4000, 11, draws);
    for (int k = 0; k < 3; k++) {
      int c = k;
      double freq = Arrays.stream(draws).filter(d -> d == c).count() / 4000.0;
      assertEquals(pr[k], freq, 0.03, "class " + k + " drawn at its probability");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> p.scores(new float[] {1f, Float.NaN}));
    assertTrue(e.getMessage().contains("finite"));
    e = assertThrows(IllegalArgumentException.class, () -> p.scores(new float[] {1f, 2f, 3f}));
    assertTrue(e.getMessage().contains("expects 2"));
  }
}
