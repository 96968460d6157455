package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlasCensusTest {

  static final String NATIVE = "native:JNIBLAS(libopenblasp-r0.3.21.so)";

  @Test
  void executorsWithTheDriversBlasAreNotReported() {
    BlasCensus c = BlasCensus.of(NATIVE, List.of("0\t" + NATIVE, "1\t" + NATIVE, "0\t" + NATIVE));
    assertFalse(c.mismatch());
    assertEquals(2, c.byExecutor().size(), "partitions of one executor count once");
    assertEquals(List.of(NATIVE), List.copyOf(c.executorBackends()));
  }

  @Test
  void anExecutorWithoutNativeBlasIsNamedWithTheFix() {
    BlasCensus c = BlasCensus.of(NATIVE, List.of("0\t" + NATIVE, "3\tjava:VectorBLAS"));
    assertTrue(c.mismatch());
    assertEquals(2, c.executorBackends().size());
    String w = c.warning();
    assertTrue(w.contains("{3=java:VectorBLAS}") && !w.contains("0="), w);
    assertTrue(w.contains("libopenblas0-pthread"), w);
  }
}
