package org.sparkprop.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.cli.Main;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.LocalFileStore;
import org.sparkprop.train.ModelIO;

/**
 * Driver loss: a real driver process (the command line, Spark local mode) is killed with SIGKILL
 * after it has written checkpoints; resuming from the latest one ends with exactly the weights of
 * an uninterrupted run with the same seed.
 */
class DriverLossTest {

  @TempDir
  Path dir;

  static List<String> settings(Path checkpoints) {
    return List.of("--config", "conf/two-moons.conf",
        "--set", "training.epochs=30", "--set", "training.validationFraction=0",
        "--set", "spark.master=local[2]", "--set", "spark.localSteps=10",
        "--set", "checkpoint.dir=" + checkpoints.toUri(), "--set", "checkpoint.every=3",
        "--set", "checkpoint.keepLast=2", "--set", "output.plot=false");
  }

  static long latestCheckpointStep(Path ckDir) throws Exception {
    if (!Files.isDirectory(ckDir)) {
      return -1;
    }
    try (Stream<Path> files = Files.list(ckDir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("ckpt-") && n.endsWith(".bin"))
          .mapToLong(n -> Long.parseLong(n.substring(5, n.length() - 4))).max().orElse(-1);
    }
  }

  @Test
  void resumingAfterTheDriverIsKilledGivesTheUninterruptedWeights() throws Exception {
    Path ck = dir.resolve("checkpoints");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("train");
    cmd.addAll(settings(ck));
    cmd.add("--out");
    cmd.add(dir.resolve("killed").toString());
    Process driver = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("driver.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    long seen = -1;
    while (driver.isAlive() && System.nanoTime() < deadline && (seen = latestCheckpointStep(ck)) < 400) {
      Thread.sleep(50);
    }
    assertTrue(driver.isAlive(), "the driver was still training when killed; log:\n"
        + Files.readString(dir.resolve("driver.log")));
    driver.destroyForcibly();                          // SIGKILL: no shutdown hooks, no cleanup
    driver.waitFor(30, TimeUnit.SECONDS);
    assertTrue(seen >= 400, "a checkpoint at step >= 400 was written (saw " + seen + ")");
    assertFalse(Files.exists(dir.resolve("killed").resolve("model")), "the killed run saved no model");

    SparkTestSession.get();                              // the resumed and reference runs share it
    List<String> resume = new ArrayList<>(List.of("train"));
    resume.addAll(settings(ck));
    resume.addAll(List.of("--out", dir.resolve("resumed").toString(), "--resume"));
    assertEquals(0, Main.execute(resume.toArray(new String[0])));

    List<String> straight = new ArrayList<>(List.of("train"));
    straight.addAll(settings(dir.resolve("other-checkpoints")));
    straight.addAll(List.of("--out", dir.resolve("straight").toString()));
    assertEquals(0, Main.execute(straight.toArray(new String[0])));

    float[] resumed = ModelIO.load(new LocalFileStore(dir.resolve("resumed").resolve("model"))).params();
    float[] reference = ModelIO.load(new LocalFileStore(dir.resolve("straight").resolve("model"))).params();
    assertArrayEquals(reference, resumed, "resumed from step " + seen + ": same weights");
    assertTrue(new File(dir.resolve("resumed").toFile(), "metrics.csv").length() > 0);
  }
}
