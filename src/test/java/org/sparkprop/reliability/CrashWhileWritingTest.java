package org.sparkprop.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.nn.Network;
import org.sparkprop.train.Checkpoints;
import org.sparkprop.train.LocalFileStore;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingState;

/**
 * A real JVM killed (SIGKILL) while it writes checkpoints, again and again into one folder: the
 * newest intact checkpoint always loads, is at least the last one the writer finished, and is
 * consistent (each checkpoint's first weight holds its own step), whatever the half-written files
 * the kills leave behind.
 */
class CrashWhileWritingTest {

  static final TrainConfig CFG = TrainConfig.builder().network("784-512relu-10").optimizer("adam")
      .epochs(1).build();
  static final Map<String, Object> DATA = Map.of("rows", 1);

  @TempDir
  Path dir;

  /** The child: writes checkpoints of ~6 MB without pause, saying before and after each. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      Network net = CFG.buildNetwork();
      Checkpoints ck = new Checkpoints(new LocalFileStore(dir), 2);
      List<Long> done = ck.steps();
      TrainingState st = new TrainingState(net.initParams(CFG.buildInit(), 1), net.initState(),
          CFG.buildOptimizer().init(net.paramCount()));
      st.step = done.isEmpty() ? 0 : done.get(done.size() - 1);
      while (true) {
        st.step++;
        st.params[0] = st.step;                          // each checkpoint names itself
        System.out.println("writing " + st.step);
        System.out.flush();
        ck.save(st, net, CFG.toMap(), DATA);
        System.out.println("saved " + st.step);
        System.out.flush();
      }
    }
  }

  static Process startWriter(Path dir) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xmx")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
        Writer.class.getName(), dir.toString()));
    return new ProcessBuilder(cmd)
        .redirectError(java.io.File.createTempFile("sparkprop-writer", ".log")).start();
  }

  @Test
  void killedWhileWritingTheNewestIntactCheckpointAlwaysLoads() throws Exception {
    Network net = CFG.buildNetwork();
    int midWrite = 0;
    for (int trial = 0; trial < 3; trial++) {
      Process p = startWriter(dir);
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      long lastSaved = -1;
      String line;
      int saves = 0;
      // Let it finish a few, then kill it the moment it says it starts the next one.
      while ((line = out.readLine()) != null) {
        if (line.startsWith("saved ")) {
          lastSaved = Long.parseLong(line.substring(6));
          saves++;
        } else if (line.startsWith("writing ") && saves >= 2 + trial) {
          // SIGKILL, no shutdown hooks (through its handle: Process.destroy would close the pipe
          // whose last lines tell where the kill landed)
          p.toHandle().destroyForcibly();
          break;
        }
      }
      assertTrue(line != null, "the writer stopped by itself (its stderr is in a sparkprop-writer*.log)");
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the writer died");
      List<String> rest = new ArrayList<>();
      while ((line = out.readLine()) != null) {
        rest.add(line);
      }
      // Lines after the kill order tell whether the kill landed inside the save.
      boolean finished = rest.stream().anyMatch(l -> l.startsWith("saved "));
      midWrite += finished ? 0 : 1;
      for (String l : rest) {
        if (l.startsWith("saved ")) {
          lastSaved = Math.max(lastSaved, Long.parseLong(l.substring(6)));
        }
      }
      Checkpoints ck = new Checkpoints(new LocalFileStore(dir), 2);
      TrainingState st = ck.loadNewestIntact(net, CFG.buildOptimizer(), null, CFG.toMap(), DATA);
      assertTrue(st.step >= lastSaved, "trial " + trial + ": loaded step " + st.step
          + ", the writer had finished " + lastSaved);
      assertEquals((float) st.step, st.params[0], "trial " + trial + ": a consistent checkpoint");
    }
    assertTrue(midWrite >= 1, "at least one kill landed while a checkpoint was being written");
  }
}
