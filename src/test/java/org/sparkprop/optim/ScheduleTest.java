package org.sparkprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void formulas() {
    assertEquals(0.1, Schedule.constant(0.1).at(1000));
    assertEquals(0.1 / (1 + 0.5 * 4), Schedule.inverseTime(0.1, 0.5).at(4), 1e-12);
    assertEquals(0.1 * Math.exp(-0.01 * 50), Schedule.exponential(0.1, 0.01).at(50), 1e-12);
    Schedule step = Schedule.step(0.1, 0.5, 10);
    assertEquals(0.1, step.at(9), 1e-12);
    assertEquals(0.05, step.at(10), 1e-12);
    assertEquals(0.025, step.at(25), 1e-12);
    Schedule cos = Schedule.cosine(0.1, 100, 0.001);
    assertEquals(0.1, cos.at(0), 1e-12);
    assertEquals((0.1 + 0.001) / 2, cos.at(50), 1e-12);
    assertEquals(0.001, cos.at(100), 1e-12);
    assertEquals(0.001, cos.at(500), 1e-12);
  }

  @Test
  void warmupThenDecayComposes() {
    Schedule s = Schedule.warmup(4, Schedule.step(0.2, 0.1, 10));
    assertEquals(0.05, s.at(0), 1e-12);                  // 0.2·1/4
    assertEquals(0.2, s.at(3), 1e-12);
    assertEquals(0.2, s.at(4), 1e-12);                   // decay clock starts after warm-up
    assertEquals(0.02, s.at(14), 1e-12);
  }

  @Test
  void parsesTheConfigForms() {
    assertEquals(0.05, Schedule.parse("step(0.5, 10)", 0.1, 1000).at(10), 1e-12);
    assertEquals(0.0, Schedule.parse("cosine", 0.1, 200).at(200), 1e-12);
    Schedule w = Schedule.parse("warmup(10, cosine)", 0.1, 110);
    assertEquals(0.01, w.at(0), 1e-12);
    assertEquals(0.1, w.at(10), 1e-12);
    assertEquals(0.0, w.at(110), 1e-12);
    assertEquals(0.1 * Math.exp(-0.5), Schedule.parse("exponential(0.005)", 0.1, 1).at(100), 1e-12);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Schedule.parse("cosinus", 0.1, 10));
    assertTrue(e.getMessage().contains("Unknown schedule"));
    e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("step(0.5)", 0.1, 10));
    assertTrue(e.getMessage().contains("takes 2 argument"));
    assertThrows(IllegalArgumentException.class, () -> Schedule.parse("constant", -1, 10));
  }

  /** Issue 12: a negative cosine floor ascended the loss; "warmup(0.5, …)" became no warm-up. */
  @Test
  void badFloorsAndFractionalStepCountsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Schedule.parse("cosine(100, -0.01)", 0.1, 1000));
    assertTrue(e.getMessage().contains("floor"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Schedule.parse("cosine(100, 0.2)", 0.1, 1000));
    for (String bad : new String[] {"warmup(0.5, constant)", "warmup(0, constant)",
        "cosine(2.5)", "step(0.5, 0.9)", "ramp(2, 1.5, constant)", "warmup(-3, constant)"}) {
      IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
          () -> Schedule.parse(bad, 0.1, 1000), bad);
      assertTrue(f.getMessage().contains("whole number"), bad + ": " + f.getMessage());
    }
    // Whole numbers written as decimals stay accepted; a floor of 0 or of the base rate too.
    assertEquals(0.1 / 4, Schedule.parse("warmup(4.0, constant)", 0.1, 1000).at(0), 1e-12);
    assertEquals(0.1, Schedule.parse("cosine(10, 0.1)", 0.1, 1000).at(5), 1e-12);
    assertEquals(0.0, Schedule.parse("cosine(10, 0)", 0.1, 1000).at(10), 1e-12);
  }
}
