package org.sparkprop.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/submit.sh --deploy-mode cluster} on a loopback standalone cluster that
 * {@code scripts/cluster.sh} starts: the driver runs inside a Worker from the cluster jar,
 * trains, writes its model to a {@code file:} path, and the script's exit code says how the
 * driver ended (Spark's own client exits 0 either way).
 */
class DeployModeClusterIT {

  /** Off the default 7077, so a cluster a user started by hand is left alone. */
  static final String PORT = "17077";

  @TempDir
  static Path dir;

  record Result(int status, String output) {}

  static Result sh(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SPARKPROP_MASTER_PORT", PORT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
    return new Result(p.exitValue(), out);
  }

  @BeforeAll
  static void startCluster() throws Exception {
    // Two workers of one core: the driver takes a core of one, its executor the other.
    Result up = sh("bash", "scripts/cluster.sh", "start", "2", "1", "1500m");
    assertEquals(0, up.status(), up.output());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    sh("bash", "scripts/cluster.sh", "stop");
  }

  static List<String> submit(String... trainArgs) {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", "scripts/submit.sh",
        "--master", "spark://127.0.0.1:" + PORT, "--deploy-mode", "cluster",
        "--driver-memory", "1g", "--executor-memory", "1g", "--", "train"));
    cmd.addAll(List.of(trainArgs));
    return cmd;
  }

  @Test
  void theDriverTrainsOnTheClusterAndTheExitCodeTellsItsEnd() throws Exception {
    Path out = dir.resolve("run");
    // Paths are the driver's: it runs in a Worker's folder, so they are absolute.
    Result ok = sh(submit("--config", Path.of("conf/two-moons.conf").toAbsolutePath().toString(),
        "--set", "training.epochs=3", "--out", out.toUri().toString()).toArray(String[]::new));
    assertEquals(0, ok.status(), ok.output());
    assertTrue(ok.output().contains("is FINISHED"), ok.output());
    assertTrue(Files.isRegularFile(out.resolve("model/metadata.json")), "model written by the driver");
    String summary = Files.readString(out.resolve("summary.json"));
    assertTrue(summary.contains("\"master\":\"spark://127.0.0.1:" + PORT + "\""), summary);

    Result failed = sh(submit("--config", dir.resolve("absent.conf").toString(), "--out",
        dir.resolve("never").toUri().toString()).toArray(String[]::new));
    assertEquals(1, failed.status(), failed.output());
    assertTrue(failed.output().contains("the driver failed on the cluster"), failed.output());
  }
}
