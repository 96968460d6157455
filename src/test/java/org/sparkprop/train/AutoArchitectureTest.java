package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The linear candidate and the row range of the automatic choice. */
class AutoArchitectureTest {

  private static TrainConfig network(String penalty) {
    return TrainConfig.builder().network("4-100relu+bn-3").loss("cross_entropy").optimizer("adam")
        .optimizerParams(Map.of("beta1", 0.8)).penalty(penalty).learningRate(1e-3).build();
  }

  @Test
  void theLinearCandidateKeepsInputOutputAndSettings() {
    TrainConfig linear = AutoArchitecture.linear(network("l2(0.01)"), false);
    assertEquals("4-3", linear.network(), "input and output layer only (no hidden block, no bn)");
    assertEquals("lbfgs", linear.optimizer(), "a smooth objective and no optimizer chosen");
    assertTrue(linear.optimizerParams().isEmpty(), "Adam's params do not go to L-BFGS");
    assertEquals("l2(0.01)", linear.penalty());
    TrainConfig chosen = AutoArchitecture.linear(network("none"), true);
    assertEquals("adam", chosen.optimizer(), "the user's optimizer");
    assertEquals(0.8, chosen.optimizerParams().get("beta1"));
    assertEquals("adam", AutoArchitecture.linear(network("l1(0.01)"), false).optimizer(),
        "L-BFGS cannot minimise an L1 penalty");
  }

  @Test
  void withNoPenaltyTheLinearCandidatesAreRidgeModelsStrongestFirst() {
    java.util.List<ModelSelection.Candidate> grid =
        AutoArchitecture.linearCandidates(network("none"), false);
    assertEquals(java.util.List.of("linear+l2(0.01)", "linear+l2(0.001)", "linear+l2(1.0E-4)"),
        grid.stream().map(ModelSelection.Candidate::name).toList());
    for (ModelSelection.Candidate c : grid) {
      assertEquals("4-3", c.config().network());
      assertEquals("lbfgs", c.config().optimizer());
      assertEquals(c.name().substring("linear+".length()), c.config().penalty());
    }
    java.util.List<ModelSelection.Candidate> given =
        AutoArchitecture.linearCandidates(network("l2(0.5)"), false);
    assertEquals(1, given.size(), "a penalty the user set: one linear candidate with it");
    assertEquals("l2(0.5)", given.get(0).config().penalty());
    assertEquals("linear", given.get(0).name());
    TrainConfig regressor = TrainConfig.builder().network("4-100relu-1").loss("squared").build();
    java.util.List<ModelSelection.Candidate> ls = AutoArchitecture.linearCandidates(regressor, false);
    assertEquals(1, ls.size(), "least squares: one unpenalised candidate, as MLlib's LinearRegression");
    assertEquals("none", ls.get(0).config().penalty());
  }

  @Test
  void crossValidationRunsOnSmallDataOnly() {
    assertFalse(AutoArchitecture.crossValidates(AutoArchitecture.MIN_ROWS - 1, 10));
    assertTrue(AutoArchitecture.crossValidates(AutoArchitecture.MIN_ROWS, 10));
    assertTrue(AutoArchitecture.crossValidates(AutoArchitecture.NETWORK_ROWS - 1, 10));
    assertFalse(AutoArchitecture.crossValidates(AutoArchitecture.NETWORK_ROWS, 10));
    assertFalse(AutoArchitecture.crossValidates(4000, 1 << 18), "wide data: 4 GB per copy");
  }
}
