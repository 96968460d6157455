package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlasCensusTest {

  static final String NATIVE = "native:JNIBLAS(libopenblasp-r0.3.21.so)";

  static SparkData.PartitionInfo on(String executor, String blas) {
    return new SparkData.PartitionInfo(10, executor, blas, 0L);
  }

  @Test
  void executorsWithTheDriversBlasAreNotReported() {
    BlasCensus c = BlasCensus.of(NATIVE, List.of(on("0", NATIVE), on("1", NATIVE), on("0", NATIVE)));
    assertFalse(c.mismatch());
    assertEquals(2, c.byExecutor().size(), "partitions of one executor count once");
    assertEquals(List.of(NATIVE), List.copyOf(c.executorBackends()));
  }

  @Test
  void anExecutorWithoutNativeBlasIsNamedWithTheFix() {
    BlasCensus c = BlasCensus.of(NATIVE, List.of(on("0", NATIVE), on("3", "java:VectorBLAS")));
    assertTrue(c.mismatch());
    assertEquals(2, c.executorBackends().size());
    String w = c.warning();
    assertTrue(w.contains("{3=java:VectorBLAS}") && !w.contains("0="), w);
    assertTrue(w.contains("libopenblas0-pthread"), w);
  }
}
