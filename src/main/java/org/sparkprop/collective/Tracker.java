package org.sparkprop.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rendezvous: a small server on the driver where each rank of a stage attempt registers the
 * address it listens on and, once all R ranks of that attempt have, receives the full list in rank
 * order. It replaces an {@code allGather} through Spark's barrier coordinator, which answers on a
 * one-second poll (measured ~1 s per call here), with one round trip of a few milliseconds.
 * Registrations must prove the stage's token; a retried stage registers again under its new
 * attempt number.
 *
 * <p>It also moves a stage's bulk state, as raw little-endian floats rather than through Spark's
 * serialised broadcast and task results: the vectors {@link #offer}ed before the stage go to rank 0
 * with its list (it passes them on along the chain, {@link Collective#broadcast}), and at the
 * stage's end every rank {@link #upload}s a few numbers (and rank 0 the vectors the stage ends
 * with), which the driver takes from {@link #result}. A retried attempt receives the same vectors
 * again, and its uploads replace earlier ones.
 *
 * <pre>
 *   rank → tracker   (after the token handshake) op: 1 = register, 2 = upload
 *     register       attempt, address length, address
 *     → rank         list length, list ("host:port" per rank, '\n'-separated), vectors
 *     upload         attempt, numbers (count, doubles), vectors    → rank   1 (stored)
 *   vectors          count, then per vector: length, length floats (little-endian)
 * </pre>
 */
public final class Tracker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Tracker.class);
  static final String PURPOSE = "sparkprop-tracker";

  private final ServerSocketChannel server;
  private final byte[] token;
  private final int ranks;
  private final Thread thread;
  /** Bounds each registration, so a connection that sends nothing cannot stall the tracker. */
  private final Watchdog registrationTimeout = new Watchdog(10_000);
  private final Watchdog transferTimeout;
  /** attempt → rank → (connection, address) */
  private final Map<Integer, Map<Integer, Registration>> attempts = new HashMap<>();
  private volatile float[][] offered = new float[0][];
  /** rank → its last upload */
  private final Map<Integer, Upload> uploads = new java.util.concurrent.ConcurrentHashMap<>();

  /** What a rank sent at its stage's end. */
  public record Upload(double[] numbers, float[][] vectors) {}

  private record Registration(SocketChannel channel, String address) {}

  private Tracker(ServerSocketChannel server, byte[] token, int ranks, long transferTimeoutMs) {
    this.transferTimeout = new Watchdog(transferTimeoutMs);
    this.server = server;
    this.token = token;
    this.ranks = ranks;
    this.thread = new Thread(this::serve, "sparkprop-collective-tracker");
    thread.setDaemon(true);
  }

  /** A fresh random token for one stage: its tasks prove it on every connection. */
  public static byte[] newToken() {
    return Handshake.newToken();
  }

  /** Starts a tracker for {@code ranks} ranks on {@code host}, on a port of {@code ports}. */
  public static Tracker start(String host, PortRange ports, byte[] token, int ranks) throws IOException {
    return start(host, ports, token, ranks, 60_000);
  }

  /** As above; a vector transfer (offer or upload) may take up to {@code transferTimeoutMs}. */
  public static Tracker start(String host, PortRange ports, byte[] token, int ranks,
                              long transferTimeoutMs) throws IOException {
    Tracker t = new Tracker(ports.bind(host), token, ranks, transferTimeoutMs);
    t.thread.start();
    return t;
  }

  /** The vectors rank 0 receives with its list (the tracker keeps the arrays; do not modify them). */
  public void offer(float[]... vectors) {
    offered = vectors.clone();
  }

  /** What {@code rank} uploaded last, or null when it has not. */
  public Upload result(int rank) {
    return uploads.get(rank);
  }

  /** What a rank receives at the rendezvous: every rank's address, and the offered vectors (rank 0). */
  public record Rendezvous(List<String> addresses, float[][] vectors) {}

  /** host:port where ranks register. */
  public String address() throws IOException {
    InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  private void serve() {
    while (server.isOpen()) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return;                                           // closed: the stage is over
      }
      try (Watchdog.Armed a = registrationTimeout.arm("a registration", ch)) {
        ch.configureBlocking(true);
        int rank = Handshake.challenge(ch, token, PURPOSE);
        if (rank < 0 || rank >= ranks) {
          LOG.warn("the tracker refused a connection from {} that did not prove the stage's token",
              ch.socket().getRemoteSocketAddress());
          ch.close();
          continue;
        }
        ByteBuffer head = Handshake.read(ch, 8);
        int op = head.getInt();
        int attempt = head.getInt();
        if (op == 2) {
          try (Watchdog.Armed t = transferTimeout.arm("rank " + rank + "'s upload", ch)) {
            double[] numbers = Vectors.readNumbers(ch);
            uploads.put(rank, new Upload(numbers, Vectors.read(ch)));
            Handshake.write(ch, ByteBuffer.wrap(new byte[] {1}));
          } finally {
            ch.close();
          }
          continue;
        }
        if (op != 1) {
          throw new IOException("rank " + rank + " asked for operation " + op);
        }
        byte[] addr = new byte[Handshake.read(ch, 4).getInt()];
        Handshake.read(ch, addr.length).get(addr);
        register(attempt, rank, new Registration(ch, new String(addr, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        LOG.warn("a rank's registration failed: {}", e.toString());
        try {
          ch.close();
        } catch (IOException ignored) {
          // dropping the connection is all that is left to do
        }
      }
    }
  }

  private void register(int attempt, int rank, Registration r) throws IOException {
    Map<Integer, Registration> a = attempts.computeIfAbsent(attempt, k -> new HashMap<>());
    Registration old = a.put(rank, r);
    if (old != null) {
      old.channel.close();
    }
    if (a.size() < ranks) {
      return;
    }
    List<String> all = new ArrayList<>();
    for (int k = 0; k < ranks; k++) {
      all.add(a.get(k).address);
    }
    byte[] list = String.join("\n", all).getBytes(StandardCharsets.UTF_8);
    for (Map.Entry<Integer, Registration> each : a.entrySet()) {
      SocketChannel ch = each.getValue().channel;
      ByteBuffer b = ByteBuffer.allocate(4 + list.length).putInt(list.length).put(list).flip();
      try (Watchdog.Armed t = transferTimeout.arm("sending rank " + each.getKey() + " its list", ch)) {
        Handshake.write(ch, b);
        Vectors.write(ch, each.getKey() == 0 ? offered : new float[0][]);
      } catch (IOException e) {
        LOG.warn("could not answer rank {}: {}", each.getKey(), e.toString());   // it fails, and retries
      } finally {
        ch.close();
      }
    }
    attempts.remove(attempt);
    LOG.debug("rendezvous of stage attempt {}: {}", attempt, all);
  }

  /**
   * A rank's side: registers {@code myAddress} for {@code attempt} at the tracker and returns every
   * rank's address, in rank order, once all have registered.
   */
  public static List<String> exchange(String tracker, byte[] token, int rank, int attempt,
                                      String myAddress, long timeoutMs) throws IOException {
    return join(tracker, token, rank, attempt, myAddress, timeoutMs).addresses();
  }

  /** As {@link #exchange}, with the vectors offered to rank 0 (none for other ranks). */
  public static Rendezvous join(String tracker, byte[] token, int rank, int attempt,
                                String myAddress, long timeoutMs) throws IOException {
    try (Watchdog dog = new Watchdog(timeoutMs); SocketChannel ch = SocketChannel.open()) {
      try (Watchdog.Armed a = dog.arm("waiting at the driver's tracker " + tracker
          + " for every rank to start (rank " + rank + " was ready)", ch)) {
        ch.connect(Connections.parse(tracker));
        Handshake.prove(ch, token, PURPOSE, rank);
        byte[] addr = myAddress.getBytes(StandardCharsets.UTF_8);
        Handshake.write(ch, ByteBuffer.allocate(12 + addr.length).putInt(1).putInt(attempt)
            .putInt(addr.length).put(addr).flip());
        int len = Handshake.read(ch, 4).getInt();
        byte[] list = new byte[len];
        Handshake.read(ch, len).get(list);
        List<String> all = List.of(new String(list, StandardCharsets.UTF_8).split("\n"));
        return new Rendezvous(all, Vectors.read(ch));
      } catch (IOException e) {
        throw dog.explain(e);
      }
    }
  }

  /** A rank's side at a stage's end: stores its numbers and vectors at the tracker. */
  public static void upload(String tracker, byte[] token, int rank, int attempt, double[] numbers,
                            float[][] vectors, long timeoutMs) throws IOException {
    try (Watchdog dog = new Watchdog(timeoutMs); SocketChannel ch = SocketChannel.open()) {
      try (Watchdog.Armed a = dog.arm("uploading rank " + rank + "'s results to the driver's tracker "
          + tracker, ch)) {
        ch.connect(Connections.parse(tracker));
        Handshake.prove(ch, token, PURPOSE, rank);
        Handshake.write(ch, ByteBuffer.allocate(8).putInt(2).putInt(attempt).flip());
        Vectors.writeNumbers(ch, numbers);
        Vectors.write(ch, vectors);
        if (Handshake.read(ch, 1).get() != 1) {
          throw new IOException("the tracker did not store rank " + rank + "'s upload");
        }
      } catch (IOException e) {
        throw dog.explain(e);
      }
    }
  }

  @Override
  public void close() {
    registrationTimeout.close();
    transferTimeout.close();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing a server socket that failed leaves nothing to release
    }
    for (Map<Integer, Registration> a : attempts.values()) {
      for (Registration r : a.values()) {
        try {
          r.channel.close();
        } catch (IOException ignored) {
          // as above
        }
      }
    }
  }
}
