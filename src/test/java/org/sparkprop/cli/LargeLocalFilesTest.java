package org.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.cli.CommandLineTest.Run;
import org.sparkprop.testing.SparkTestSession;

/** Local files at least data.executorReadBytes large are read by Spark's executors (local masters). */
class LargeLocalFilesTest {

  @TempDir
  Path dir;

  @Test
  void aLargeLocalCsvIsReadOnTheExecutorsAndTrainsAsOnTheDriver() throws Exception {
    SparkTestSession.get();
    StringBuilder csv = new StringBuilder("a,b,label\n");
    java.util.Random rnd = new java.util.Random(3);
    for (int i = 0; i < 600; i++) {
      int k = i % 2;
      csv.append(2 * k + rnd.nextGaussian() * 0.4).append(',').append(rnd.nextGaussian())
          .append(',').append(k).append('\n');
    }
    Path file = dir.resolve("two.csv");
    Files.writeString(file, csv.toString());
    String[] common = {"train", "--set", "data.train=csv:" + file, "--set", "data.test=csv:" + file,
        "--set", "model.network=2-8relu-2", "--set", "training.epochs=20",
        "--set", "training.validationFraction=0", "--set", "output.plot=false"};
    Run big = CommandLineTest.run(concat(common, "--set", "data.executorReadBytes=1k",
        "--out", dir.resolve("big").toString()));
    assertEquals(0, big.status(), big.err());
    assertTrue(big.err().contains("read by Spark on the executors"), big.err());
    Run small = CommandLineTest.run(concat(common, "--out", dir.resolve("small").toString()));
    assertEquals(0, small.status(), small.err());
    assertFalse(small.err().contains("read by Spark on the executors"), small.err());
    JsonNode a = big.lastJson();
    JsonNode b = small.lastJson();
    assertEquals(600, a.get("test_rows").asInt());
    assertEquals(1, a.get("partitions").asInt(), "Spark's CSV reader: one split of a small file");
    assertEquals(2, b.get("partitions").asInt(), "read on the driver: one partition per core");
    assertTrue(a.get("test_accuracy").asDouble() > 0.95 && b.get("test_accuracy").asDouble() > 0.95,
        a + " / " + b);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
