package org.sparkprop.spark;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which BLAS each executor computes with, against the driver's. An executor with another backend
 * (no native OpenBLAS there: netlib's Java fallback; or another library) trains several times
 * slower and rounds differently, so its partitions' gradients differ in the last bits from what
 * the driver (and a rerun elsewhere) computes: reported in the log and the run's summary.
 */
public record BlasCensus(String driver, Map<String, String> byExecutor) {

  /** @param driver the driver's backend name ({@code Blas.fast().name()}) */
  static BlasCensus of(String driver, List<SparkData.PartitionInfo> partitions) {
    Map<String, String> by = new TreeMap<>();
    for (SparkData.PartitionInfo p : partitions) {
      by.put(p.executor(), p.blas());
    }
    return new BlasCensus(driver, by);
  }

  /** The distinct backends the executors use. */
  public TreeSet<String> executorBackends() {
    return new TreeSet<>(byExecutor.values());
  }

  /** True when some executor computes with a backend other than the driver's. */
  public boolean mismatch() {
    return byExecutor.values().stream().anyMatch(b -> !b.equals(driver));
  }

  /** One line for the log: which executors differ, and what to do. */
  public String warning() {
    Map<String, String> odd = new TreeMap<>();
    byExecutor.forEach((id, b) -> {
      if (!b.equals(driver)) {
        odd.put(id, b);
      }
    });
    return "executors " + odd + " compute with another BLAS than the driver (" + driver + "): "
        + "their gradients round differently and, without native OpenBLAS, run several times "
        + "slower; install the same BLAS on every node (Debian: libopenblas0-pthread)";
  }
}
