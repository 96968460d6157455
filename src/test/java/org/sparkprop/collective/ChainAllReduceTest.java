package org.sparkprop.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The chain all-reduce among threads of one JVM, over loopback sockets and through shared memory,
 * without Spark.
 */
class ChainAllReduceTest {

  static final long TIMEOUT = 20_000;

  /** Starts R ranks, each on its own thread, through a tracker; returns their collectives. */
  static List<Collective> connect(int ranks, byte[] token) throws Exception {
    return connect(ranks, token, false);
  }

  /** As above, with float values travelling as bfloat16 when {@code bf16}. */
  static List<Collective> connect(int ranks, byte[] token, boolean bf16) throws Exception {
    return connect(ranks, token, bf16, 0);
  }

  /** As above, neighbours sharing memory for calls of up to {@code sharedBytes} bytes. */
  static List<Collective> connect(int ranks, byte[] token, boolean bf16, int sharedBytes)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(ranks);
    try (Tracker tracker = Tracker.start("127.0.0.1", PortRange.parse("0"), token, ranks)) {
      List<Future<Collective>> fs = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        fs.add(pool.submit(() -> {
          ServerSocketChannel server = PortRange.parse("0").bind("127.0.0.1");
          String me = "127.0.0.1:" + server.socket().getLocalPort();
          List<String> all = Tracker.exchange(tracker.address(), token, rank, 0, me, TIMEOUT);
          return ChainAllReduce.connect(rank, all, server, token, TIMEOUT, bf16, sharedBytes);
        }));
      }
      List<Collective> out = new ArrayList<>();
      for (Future<Collective> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  /** Runs {@code op} on every rank at once. */
  static void onAll(List<Collective> cs, RankOp op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(cs.size());
    try {
      List<Future<Object>> fs = new ArrayList<>();
      for (Collective c : cs) {
        fs.add(pool.submit(() -> {
          op.run(c);
          return null;
        }));
      }
      for (Future<Object> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  interface RankOp {
    void run(Collective c) throws Exception;
  }

  /** Shared memory needs /dev/shm (Linux); elsewhere the socket tests still run. */
  static boolean sharedMemoryAvailable() {
    return Files.isDirectory(SharedMemory.DIR) && Files.isWritable(SharedMemory.DIR);
  }

  static long leftoverSharedFiles() throws IOException {
    try (var files = Files.list(SharedMemory.DIR)) {
      return files.filter(f -> f.getFileName().toString().startsWith("sparkprop-collective-")).count();
    }
  }

  @Test
  void sumsAreTheLeftFoldInRankOrderBitwiseOnEveryRank() throws Exception {
    leftFoldOnEveryRank(0);
  }

  /**
   * The same sums through shared memory: bitwise the left fold; every link shared; a call larger
   * than the shared regions (the float vector here, with regions of one chunk) goes over the socket
   * while the small ones keep sharing; no file is left in /dev/shm.
   */
  @Test
  void sharedMemoryLinksGiveBitwiseTheSameSums() throws Exception {
    assumeTrue(sharedMemoryAvailable(), "no /dev/shm here");
    long before = leftoverSharedFiles();
    leftFoldOnEveryRank(64 << 20);
    leftFoldOnEveryRank(ChainAllReduce.CHUNK * 4);
    assertEquals(before, leftoverSharedFiles(), "files left in /dev/shm");
  }

  private static void leftFoldOnEveryRank(int sharedBytes) throws Exception {
    for (int ranks : new int[] {1, 2, 3, 4}) {
      // Long enough for several pipelined chunks, with an odd tail; values of mixed magnitude, so
      // that another summation order would round differently.
      int n = 2 * ChainAllReduce.CHUNK + 1234;
      float[][] v = new float[ranks][n];
      double[][] d = new double[ranks][3];
      Random rnd = new Random(ranks);
      for (int r = 0; r < ranks; r++) {
        for (int i = 0; i < n; i++) {
          v[r][i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(8) - 4));
        }
        for (int i = 0; i < 3; i++) {
          d[r][i] = rnd.nextDouble() * 1e6;
        }
      }
      float[] expected = v[0].clone();
      double[] expectedD = d[0].clone();
      for (int r = 1; r < ranks; r++) {
        for (int i = 0; i < n; i++) {
          expected[i] = expected[i] + v[r][i];
        }
        for (int i = 0; i < 3; i++) {
          expectedD[i] = expectedD[i] + d[r][i];
        }
      }
      List<Collective> cs = connect(ranks, Handshake.newToken(), false, sharedBytes);
      try {
        for (Collective c : cs) {
          int neighbours = (c.rank() > 0 ? 1 : 0) + (c.rank() < ranks - 1 ? 1 : 0);
          assertEquals(sharedBytes > 0 ? neighbours : 0, ((ChainAllReduce) c).sharedLinks(),
              "shared links of rank " + c.rank() + " of " + ranks);
        }
        for (int repeat = 0; repeat < 3; repeat++) {
          float[][] work = new float[ranks][];
          double[][] workD = new double[ranks][];
          for (int r = 0; r < ranks; r++) {
            work[r] = v[r].clone();
            workD[r] = d[r].clone();
          }
          onAll(cs, c -> {
            c.allReduce(work[c.rank()], 0, n);
            c.allReduce(workD[c.rank()]);
          });
          for (int r = 0; r < ranks; r++) {
            assertArrayEquals(expected, work[r], "rank " + r + " of " + ranks);
            assertArrayEquals(expectedD, workD[r], "rank " + r + " of " + ranks);
          }
        }
        // The doubles riding in the float call's headers: the same sums, bitwise.
        float[][] work = new float[ranks][];
        double[][] extras = new double[ranks][];
        for (int r = 0; r < ranks; r++) {
          work[r] = v[r].clone();
          extras[r] = d[r].clone();
        }
        onAll(cs, c -> c.allReduce(work[c.rank()], 0, n, extras[c.rank()]));
        for (int r = 0; r < ranks; r++) {
          assertArrayEquals(expected, work[r], "rank " + r + " of " + ranks + " with extras");
          assertArrayEquals(expectedD, extras[r], "extras of rank " + r + " of " + ranks);
        }
        // A sub-range: only [10, 20) is reduced.
        float[][] part = new float[ranks][30];
        for (int r = 0; r < ranks; r++) {
          java.util.Arrays.fill(part[r], r + 1);
        }
        onAll(cs, c -> c.allReduce(part[c.rank()], 10, 20));
        float total = ranks * (ranks + 1) / 2f;
        assertEquals(total, part[ranks - 1][15]);
        assertEquals(ranks, part[ranks - 1][5]);          // outside the range: untouched
        if (ranks > 1) {
          assertTrue(cs.get(0).bytesSent() > 0);
        }
      } finally {
        cs.forEach(Collective::close);
      }
    }
  }

  /**
   * A broadcast gives every rank rank 0's values (full precision even with bf16 traffic), and an
   * all-reduce right after it, over the same shared regions, still sums correctly; at R = 4, over
   * sockets and through shared memory.
   */
  @Test
  void broadcastGivesEveryRankRankZerosValues() throws Exception {
    int ranks = 4;
    int n = 2 * ChainAllReduce.CHUNK + 5;
    for (int shared : sharedMemoryAvailable() ? new int[] {0, 4 * n} : new int[] {0}) {
      List<Collective> cs = connect(ranks, Handshake.newToken(), true, shared);
      try {
        float[][] v = new float[ranks][n];
        float[][] ones = new float[ranks][n];
        for (int r = 0; r < ranks; r++) {
          for (int i = 0; i < n; i++) {
            v[r][i] = r == 0 ? 1f + i * 1e-7f : -r;               // rank 0's need all 24 bits
            ones[r][i] = 1f;
          }
        }
        float[] expected = v[0].clone();
        onAll(cs, c -> {
          c.broadcast(v[c.rank()], 0, n);
          c.allReduce(ones[c.rank()], 0, n);
        });
        for (int r = 0; r < ranks; r++) {
          assertArrayEquals(expected, v[r], "rank " + r + ", shared " + shared);
          assertEquals(ranks, ones[r][n - 1], "rank " + r + ", shared " + shared);
        }
      } finally {
        cs.forEach(Collective::close);
      }
    }
  }

  /** The tracker hands rank 0 the offered vectors (the others none) and keeps each rank's upload. */
  @Test
  void theTrackerCarriesTheStartVectorsToRankZeroAndTheUploadBack() throws Exception {
    byte[] token = Handshake.newToken();
    try (Tracker t = Tracker.start("127.0.0.1", PortRange.parse("0"), token, 2, TIMEOUT)) {
      float[] big = new float[300_001];                           // more than one 1 MB buffer
      for (int i = 0; i < big.length; i++) {
        big[i] = i * 0.5f - 7;
      }
      t.offer(big, new float[0], new float[] {3, 4});
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Tracker.Rendezvous> r1 = pool.submit(() ->
            Tracker.join(t.address(), token, 1, 0, "127.0.0.1:2", TIMEOUT));
        Tracker.Rendezvous r0 = Tracker.join(t.address(), token, 0, 0, "127.0.0.1:1", TIMEOUT);
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2"), r0.addresses());
        assertEquals(r0.addresses(), r1.get().addresses());
        assertEquals(0, r1.get().vectors().length);
        assertEquals(3, r0.vectors().length);
        assertArrayEquals(big, r0.vectors()[0]);
        assertArrayEquals(new float[] {3, 4}, r0.vectors()[2]);
      } finally {
        pool.shutdownNow();
      }
      assertEquals(null, t.result(0));
      Tracker.upload(t.address(), token, 0, 0, new double[] {0.1, -2}, new float[][] {{1, 2, 3}, {}},
          TIMEOUT);
      Tracker.upload(t.address(), token, 1, 0, new double[] {7}, new float[0][], TIMEOUT);
      assertArrayEquals(new float[] {1, 2, 3}, t.result(0).vectors()[0]);
      assertEquals(0, t.result(0).vectors()[1].length);
      assertArrayEquals(new double[] {0.1, -2}, t.result(0).numbers());
      assertArrayEquals(new double[] {7}, t.result(1).numbers());
      // An upload without the token is refused and stores nothing.
      assertThrows(IOException.class, () -> Tracker.upload(t.address(), Handshake.newToken(), 0, 0,
          new double[0], new float[][] {{9}}, 2_000));
      assertArrayEquals(new float[] {1, 2, 3}, t.result(0).vectors()[0]);
    }
  }

  @Test
  void bfloat16TrafficKeepsEveryRankBitwiseEqualAndCloseToTheFloatSum() throws Exception {
    bfloat16Sums(0);
  }

  @Test
  void bfloat16ThroughSharedMemoryIsTheSame() throws Exception {
    assumeTrue(sharedMemoryAvailable(), "no /dev/shm here");
    bfloat16Sums(1 << 20);
  }

  private static void bfloat16Sums(int sharedBytes) throws Exception {
    int ranks = 3;
    int n = ChainAllReduce.CHUNK + 77;
    List<Collective> cs = connect(ranks, Handshake.newToken(), true, sharedBytes);
    float[][] v = new float[ranks][n];
    Random rnd = new Random(5);
    float[] exact = new float[n];
    for (int r = 0; r < ranks; r++) {
      for (int i = 0; i < n; i++) {
        v[r][i] = (float) rnd.nextGaussian();
        exact[i] += v[r][i];
      }
    }
    double[][] d = {{1e-12, 3}, {2e-12, 4}, {3e-12, 5}};
    try {
      onAll(cs, c -> {
        c.allReduce(v[c.rank()], 0, n);
        c.allReduce(d[c.rank()]);
      });
      for (int r = 1; r < ranks; r++) {
        assertArrayEquals(v[0], v[r], "rank " + r);
      }
      for (int i = 0; i < n; i++) {
        // Three roundings to 8 significant bits, of values of order 1.
        assertEquals(exact[i], v[0][i], 0.03 * (1 + Math.abs(exact[i])), "element " + i);
      }
      assertEquals(6e-12, d[2][0], 1e-24);                // doubles travel whole
      assertEquals(4L * n + 2 * 2 * 8, cs.get(1).bytesSent());   // 2 bytes a float, both ways
      assertEquals((short) 0x3F80, Bfloat16.encode(1f));
      assertEquals(1.0078125f, Bfloat16.decode(Bfloat16.encode(1.0078125f)));   // representable
      assertEquals(1f, Bfloat16.decode(Bfloat16.encode(1.00390625f)));          // tie: to even
      assertTrue(Float.isNaN(Bfloat16.decode(Bfloat16.encode(Float.NaN))));
      assertEquals(Float.NEGATIVE_INFINITY, Bfloat16.decode(Bfloat16.encode(Float.NEGATIVE_INFINITY)));
    } finally {
      cs.forEach(Collective::close);
    }
  }

  @Test
  void aPeerThatNeverConnectsTimesOutWithItsRankAndAddress() throws Exception {
    ServerSocketChannel server = PortRange.parse("0").bind("127.0.0.1");
    ServerSocketChannel silent = PortRange.parse("0").bind("127.0.0.1");    // rank 0: never connects
    String rank0 = "127.0.0.1:" + silent.socket().getLocalPort();
    String rank1 = "127.0.0.1:" + server.socket().getLocalPort();
    IOException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
        IOException.class, () -> ChainAllReduce.connect(1, List.of(rank0, rank1), server,
            Handshake.newToken(), 500)));
    assertTrue(e instanceof CollectiveTimeoutException, e.toString());
    assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains(rank0), e.getMessage());
    silent.close();
    // The same at the tracker: one of two ranks never registers.
    try (Tracker t = Tracker.start("127.0.0.1", PortRange.parse("0"), new byte[32], 2)) {
      IOException te = assertThrows(IOException.class,
          () -> Tracker.exchange(t.address(), new byte[32], 0, 0, "127.0.0.1:1", 500));
      assertTrue(te.getMessage().contains("every rank"), te.getMessage());
    }
  }

  @Test
  void aConnectionWithTheWrongTokenIsRefused() throws Exception {
    byte[] token = Handshake.newToken();
    ServerSocketChannel server = PortRange.parse("0").bind("127.0.0.1");
    String rank1 = "127.0.0.1:" + server.socket().getLocalPort();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // Rank 1 waits for rank 0; an impostor with another token connects first and is refused.
      Future<ChainAllReduce> waiting = pool.submit(() ->
          ChainAllReduce.connect(1, List.of("127.0.0.1:9", rank1), server, token, 10_000));
      try (SocketChannel impostor = SocketChannel.open(Connections.parse(rank1))) {
        IOException e = assertThrows(IOException.class,
            () -> Handshake.prove(impostor, Handshake.newToken(), ChainAllReduce.PURPOSE, 0));
        assertTrue(e.getMessage().contains("token"), e.getMessage());
      }
      // The real rank 0, with the token, is accepted after the refusal.
      ServerSocketChannel own = PortRange.parse("0").bind("127.0.0.1");
      ChainAllReduce r0 = ChainAllReduce.connect(0, List.of("127.0.0.1:" + own.socket().getLocalPort(),
          rank1), own, token, 10_000);
      ChainAllReduce r1 = waiting.get();
      float[] a = {1, 2};
      float[] b = {10, 20};
      Future<?> f = pool.submit(() -> {
        r1.allReduce(b, 0, 2);
        return null;
      });
      r0.allReduce(a, 0, 2);
      f.get();
      assertArrayEquals(new float[] {11, 22}, a);
      assertArrayEquals(new float[] {11, 22}, b);
      r0.close();
      r1.close();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aVanishedPeerFailsEveryRanksCallPromptlyNamingIt() throws Exception {
    vanishedPeer(0);
  }

  @Test
  void aVanishedPeerFailsSharedMemoryCallsToo() throws Exception {
    assumeTrue(sharedMemoryAvailable(), "no /dev/shm here");
    vanishedPeer(1 << 20);
  }

  private static void vanishedPeer(int sharedBytes) throws Exception {
    List<Collective> cs = connect(3, Handshake.newToken(), false, sharedBytes);
    cs.get(2).close();                                  // rank 2's process is gone
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<IOException>> fs = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        Collective c = cs.get(r);
        fs.add(pool.submit(() -> assertThrows(IOException.class,
            () -> c.allReduce(new float[100_000], 0, 100_000))));
      }
      long t0 = System.nanoTime();
      String rank1 = fs.get(1).get().getMessage();
      String rank0 = fs.get(0).get().getMessage();
      // Well before the 20 s timeout: the failure travels along the chain as closed connections.
      assertTrue((System.nanoTime() - t0) / 1e9 < 10, "took " + (System.nanoTime() - t0) / 1e9 + " s");
      assertTrue(rank1.contains("rank 2"), rank1);
      assertTrue(rank0.contains("rank 1"), rank0);
    } finally {
      pool.shutdownNow();
      cs.forEach(Collective::close);
    }
  }
}
