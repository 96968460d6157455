package org.sparkprop.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chain all-reduce among separate JVM processes, without Spark, over sockets and through shared
 * memory: this test runs the tracker, starts three child JVMs (one rank each, {@link #main}), and checks that every rank printed the
 * checksum of the rank-ordered sum.
 */
class ChainAllReduceProcessTest {

  static final int N = 100_003;

  /** Rank r's values: deterministic, of mixed magnitude. */
  static float[] values(int rank) {
    java.util.Random rnd = new java.util.Random(rank * 7919L + 1);
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(6) - 3));
    }
    return v;
  }

  static long checksum(float[] v) {
    long h = 1;
    for (float f : v) {
      h = h * 31 + Float.floatToRawIntBits(f);
    }
    return h;
  }

  /**
   * A child rank: args = rank, tracker address, hex token, shared bytes. Prints "sum RANK CHECKSUM"
   * and "shared RANK LINKS".
   */
  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    byte[] token = HexFormat.of().parseHex(args[2]);
    ServerSocketChannel server = PortRange.parse("0").bind("127.0.0.1");
    String me = "127.0.0.1:" + server.socket().getLocalPort();
    List<String> all = Tracker.exchange(args[1], token, rank, 0, me, 30_000);
    try (ChainAllReduce c = ChainAllReduce.connect(rank, all, server, token, 30_000, false,
        Integer.parseInt(args[3]))) {
      float[] v = values(rank);
      c.allReduce(v, 0, N);
      System.out.println("sum " + rank + " " + checksum(v));
      System.out.println("shared " + rank + " " + c.sharedLinks());
    }
  }

  @Test
  void threeProcessesAllReduceToTheRankOrderedSum() throws Exception {
    threeProcesses(0);
  }

  /** The same through shared memory between the processes: every link shared, the same sum. */
  @Test
  void threeProcessesSharingMemoryAllReduceToTheSameSum() throws Exception {
    assumeTrue(ChainAllReduceTest.sharedMemoryAvailable(), "no /dev/shm here");
    threeProcesses(N * 4);
  }

  private static void threeProcesses(int sharedBytes) throws Exception {
    int ranks = 3;
    float[] expected = values(0);
    for (int r = 1; r < ranks; r++) {
      float[] v = values(r);
      for (int i = 0; i < N; i++) {
        expected[i] = expected[i] + v[i];
      }
    }
    byte[] token = Tracker.newToken();
    List<Process> children = new ArrayList<>();
    try (Tracker tracker = Tracker.start("127.0.0.1", PortRange.parse("0"), token, ranks)) {
      for (int r = 0; r < ranks; r++) {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
            System.getProperty("java.class.path"), ChainAllReduceProcessTest.class.getName(),
            Integer.toString(r), tracker.address(), HexFormat.of().formatHex(token),
            Integer.toString(sharedBytes));
        children.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
      }
      for (int r = 0; r < ranks; r++) {
        Process p = children.get(r);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "rank " + r + " finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("sum " + r + " " + checksum(expected)), "rank " + r + ": " + out);
        int links = sharedBytes == 0 ? 0 : r == 0 || r == ranks - 1 ? 1 : 2;
        assertTrue(out.contains("shared " + r + " " + links), "rank " + r + ": " + out);
      }
    } catch (IOException e) {
      throw e;
    } finally {
      children.forEach(Process::destroyForcibly);
    }
  }
}
