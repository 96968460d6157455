package org.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sparkprop}, the command README's lines use, run as a user runs it (with this test's
 * classpath through SPARKPROP_CLASSPATH, so it does not build), and how Main ends a run.
 */
class LauncherTest {

  @TempDir
  Path dir;

  record Result(int status, String output) {}

  static Result launch(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", "bin/sparkprop"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SPARKPROP_CLASSPATH", System.getProperty("java.class.path"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/sparkprop finished");
    return new Result(p.exitValue(), out);
  }

  @Test
  void helpVersionTrainAndBadUsage() throws Exception {
    Result help = launch("--help");
    assertEquals(0, help.status(), help.output());
    assertTrue(help.output().contains("train") && help.output().contains("evaluate"), help.output());
    Result version = launch("--version");
    assertEquals(0, version.status(), version.output());
    assertTrue(version.output().contains("sparkprop "), version.output());
    // A real (small) training run on Spark local mode, --master passed to the subcommand.
    Result train = launch("--master", "local[1]", "train", "--config", "conf/two-moons.conf",
        "--set", "training.epochs=2", "--out", dir.resolve("m").toString());
    assertEquals(0, train.status(), train.output());
    assertTrue(train.output().contains("\"master\":\"local[1]\""), train.output());
    Result bad = launch("train", "--no-such-option");
    assertEquals(2, bad.status(), bad.output());
    Result failing = launch("evaluate", "--model", dir.resolve("absent").toString(), "--data",
        "toy:moons");
    assertEquals(1, failing.status(), failing.output());
    assertTrue(failing.output().contains("error: "), failing.output());
  }

  /** In cluster deploy mode a run ends without System.exit: success returns, failure throws. */
  @Test
  void clusterDeployModeNeverCallsSystemExit() {
    assertDoesNotThrow(() -> Main.finish(0, "cluster"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Main.finish(1, "cluster"));
    assertTrue(e.getMessage().contains("exit status 1"), e.getMessage());
  }
}
