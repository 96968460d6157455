package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;

/**
 * The converging budget: epochs is a cap, minSteps a floor, patience and minDelta the plateau
 * rule; patience = 0 keeps the fixed budget of exactly epochs.
 */
class StoppingRuleTest {

  private static TrainConfig.Builder moons() {
    return TrainConfig.builder().network("2-16relu-2").loss("cross_entropy").init("he")
        .optimizer("adam").learningRate(0.01).seed(3);
  }

  @Test
  void stopsOnAPlateauOfTheTrainingLoss() {
    // Separable data: the training loss soon improves by less than minDelta per epoch.
    Block data = ToySets.twoMoons(400, 0.05, 1);
    TrainingResult r = new LocalTrainer(moons().batchSize(50).epochs(500).patience(5)
        .minDelta(1e-3).build()).fit(data, null);
    assertTrue(r.stoppedEarly(), "a plateau stops the run");
    assertTrue(r.history().size() < 500, "stopped after " + r.history().size() + " of 500 epochs");
    assertEquals(r.history().size() - 5, r.bestEpoch(), "stops `patience` epochs after the best");
  }

  @Test
  void tinyDataRunsTheMinimumSteps() {
    // 30 rows at batch 128: one step per epoch, so 10 epochs would be 10 steps.
    Block data = ToySets.twoMoons(30, 0.1, 2);
    TrainingResult r = new LocalTrainer(moons().batchSize(128).epochs(10).minSteps(300)
        .patience(3).minDelta(10).build()).fit(data, null);     // minDelta 10: nothing improves
    assertEquals(300, r.steps(), "the plateau rule waits for minSteps, and the epochs stretch to them");
    assertTrue(r.stoppedEarly());
  }

  @Test
  void theCapHoldsWhenTheLossKeepsImproving() {
    Block data = ToySets.twoMoons(200, 0.2, 3);
    TrainingResult r = new LocalTrainer(moons().batchSize(20).epochs(7).minSteps(20).patience(50)
        .build()).fit(data, null);
    assertEquals(7, r.history().size(), "never more than epochs when minSteps needs fewer");
    assertEquals(70, r.steps());
    assertFalse(r.stoppedEarly());
  }

  @Test
  void patienceZeroIsAFixedBudget() {
    Block data = ToySets.twoMoons(30, 0.1, 2);
    TrainingResult r = new LocalTrainer(moons().batchSize(128).epochs(4).minSteps(300).patience(0)
        .build()).fit(data, null);
    assertEquals(4, r.steps(), "minSteps only stretches a converging budget");
  }

  @Test
  void automaticValidationOnlyForLargeDataWithEarlyStopping() {
    TrainConfig auto = moons().validationFraction(TrainConfig.AUTO).patience(10).build();
    assertEquals(0.0, auto.validationShare(TrainConfig.AUTO_VALIDATION_ROWS - 1));
    assertEquals(TrainConfig.AUTO_VALIDATION_SHARE, auto.validationShare(TrainConfig.AUTO_VALIDATION_ROWS));
    assertEquals(0.0, auto.toBuilder().patience(0).build().validationShare(1_000_000),
        "a fixed budget has no use for validation rows");
    assertEquals(0.25, auto.toBuilder().validationFraction(0.25).build().validationShare(10));
    assertThrows(IllegalArgumentException.class, () -> moons().validationFraction(-0.5).build());
    assertThrows(IllegalArgumentException.class, () -> moons().minSteps(-1).build());
  }

  @Test
  void automaticValidationHoldsOutATenthOfLargeData() {
    Block data = ToySets.twoMoons(6000, 0.2, 4);
    TrainingResult r = new LocalTrainer(moons().batchSize(500).epochs(2).patience(5)
        .validationFraction(TrainConfig.AUTO).build()).fit(data, null);
    assertTrue(r.history().get(0).hasValidation(), "6000 rows hold out a validation split");
    long trained = Math.round(r.history().get(0).samplesPerSecond() * r.history().get(0).epochSeconds());
    assertEquals(5400, trained, 2);
  }
}
