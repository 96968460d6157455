package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Settings refused before any training starts, each with a message that says what to do. */
class TrainConfigTest {

  /** Issue 12: lbfgs was accepted with L1 and elastic net, whose objective has no gradient at 0. */
  @Test
  void lbfgsRefusesPenaltiesWithAnL1Part() {
    TrainConfig.Builder b = TrainConfig.builder().network("4-3").loss("cross_entropy")
        .optimizer("lbfgs").epochs(5);
    for (String p : new String[] {"l1(0.01)", "elasticnet(0.01, 0.5)"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> b.penalty(p).build(), p);
      assertTrue(e.getMessage().contains("lbfgs") && e.getMessage().contains("l2"), e.getMessage());
    }
    assertDoesNotThrow(() -> b.penalty("l2(0.01)").build());
    assertDoesNotThrow(() -> b.penalty("l1(0.01)").optimizer("adam").build());
  }
}
