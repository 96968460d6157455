package org.sparkprop.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All-reduce along a pipelined chain of ranks 0 — 1 — … — R−1, one TCP connection between
 * neighbours used in both directions:
 *
 * <pre>
 *   reduce     chunk c flows 0 → 1 → … → R−1; rank r adds its own values: s_r = s_{r−1} + v_r
 *   broadcast  the final chunk flows back R−1 → … → 0 on the same connections
 * </pre>
 * Chunks are pipelined, so each rank sends about 2·n values per call and the time is about
 * 2·n·bytes / bandwidth + 2(R−1) chunk latencies: the bandwidth term of a ring's reduce-scatter
 * plus all-gather (2·n·(R−1)/R), while every element is the plain left fold in rank order
 * ((v_0 + v_1) + v_2) + …, the same sum a driver computes when it adds partials in order. So
 * the result is bitwise the same on every rank and in every run, and equals an ordered sum.
 *
 * <p>Writes toward higher ranks (the reduce) are queued to each link's writer thread, so a rank
 * keeps reading while its partials drain. Writes toward lower ranks (the broadcast) are made on
 * the caller's thread, one thread switch fewer per chunk: they cannot deadlock, because rank r
 * sends its first broadcast chunk only after it has read every reduce chunk from rank r − 1, so
 * rank r − 1 is past its reduce loop and reading the broadcast, and rank 0 only reads.
 *
 * <p>Every blocking call is bounded by the timeout; a peer that vanishes or stalls fails the
 * call with a message that names its rank and address.
 */
public final class ChainAllReduce implements Collective {

  private static final Logger LOG = LoggerFactory.getLogger(ChainAllReduce.class);
  static final String PURPOSE = "sparkprop-chain";
  /** Elements per pipelined chunk (128 KB of floats). */
  static final int CHUNK = 32 * 1024;

  private final int rank;
  private final int size;
  private final Link prev;
  private final Link next;
  private final Watchdog watchdog;
  private final boolean bf16;
  private ByteBuffer sendBuffer = ByteBuffer.allocateDirect(0);
  private final ByteBuffer chunkBuffer = ByteBuffer.allocateDirect(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
  private final float[] floatChunk = new float[CHUNK];
  private final double[] doubleChunk = new double[CHUNK];
  private long calls;
  private long bytesSent;

  private ChainAllReduce(int rank, int size, Link prev, Link next, Watchdog watchdog, boolean bf16) {
    this.bf16 = bf16;
    this.rank = rank;
    this.size = size;
    this.prev = prev;
    this.next = next;
    this.watchdog = watchdog;
  }

  /** A collective of one rank: every call leaves the values as they are. */
  public static ChainAllReduce single(long timeoutMs) {
    return new ChainAllReduce(0, 1, null, null, new Watchdog(timeoutMs), false);
  }

  /**
   * Connects rank {@code rank} to its neighbours: it connects to rank + 1 at
   * {@code addresses.get(rank + 1)} and accepts rank − 1 on {@code server} (already bound, at
   * {@code addresses.get(rank)}), each connection proven with {@code token}. Connections that do
   * not prove it are dropped and waited past. The server is closed when this returns.
   */
  public static ChainAllReduce connect(int rank, List<String> addresses, ServerSocketChannel server,
                                       byte[] token, long timeoutMs) throws IOException {
    return connect(rank, addresses, server, token, timeoutMs, false);
  }

  /**
   * As above; with {@code bf16}, float values travel as bfloat16 (half the bytes): each rank still
   * adds in float32, rounding to bfloat16 (to nearest even) what it sends, and the last rank
   * rounds the final sums before sending them back, so every rank keeps bitwise the same values.
   */
  public static ChainAllReduce connect(int rank, List<String> addresses, ServerSocketChannel server,
                                       byte[] token, long timeoutMs, boolean bf16) throws IOException {
    int size = addresses.size();
    if (rank < 0 || rank >= size) {
      throw new IllegalArgumentException("rank " + rank + " outside 0.." + (size - 1));
    }
    Watchdog dog = new Watchdog(timeoutMs);
    Link next = null;
    Link prev = null;
    try {
      if (rank < size - 1) {
        next = connectTo(rank, rank + 1, addresses.get(rank + 1), token, dog);
      }
      if (rank > 0) {
        prev = acceptFrom(rank - 1, addresses.get(rank - 1), server, token, dog);
      }
      server.close();
      return new ChainAllReduce(rank, size, prev, next, dog, bf16);
    } catch (IOException | RuntimeException e) {
      if (next != null) {
        next.close();
      }
      if (prev != null) {
        prev.close();
      }
      server.close();
      dog.close();
      throw e;
    }
  }

  private static Link connectTo(int rank, int peer, String address, byte[] token, Watchdog dog)
      throws IOException {
    InetSocketAddress to = parse(address);
    long deadline = System.currentTimeMillis() + dog.timeoutMs();
    while (true) {
      SocketChannel ch = SocketChannel.open();
      try (Watchdog.Armed a = dog.arm("connecting to rank " + peer + " at " + address, ch)) {
        ch.connect(to);
        Handshake.prove(ch, token, PURPOSE, rank);
        return new Link(ch, peer, address);
      } catch (IOException e) {
        ch.close();
        IOException explained = dog.explain(e);
        if (explained != e || System.currentTimeMillis() > deadline
            || e.getMessage() != null && e.getMessage().contains("token")) {
          throw explained instanceof CollectiveTimeoutException ? explained : new IOException(
              "rank " + rank + " could not connect to rank " + peer + " at " + address + ": " + e.getMessage(), e);
        }
        sleep(50);                                  // not listening yet: try again
      }
    }
  }

  private static Link acceptFrom(int peer, String address, ServerSocketChannel server, byte[] token,
                                 Watchdog dog) throws IOException {
    try (Watchdog.Armed a = dog.arm("waiting for rank " + peer + " (" + address + ") to connect", server)) {
      while (true) {
        SocketChannel ch;
        try {
          ch = server.accept();
        } catch (IOException e) {
          throw dog.explain(e);
        }
        int who;
        try (Watchdog.Armed b = dog.arm("checking a connection's token", ch)) {
          who = Handshake.challenge(ch, token, PURPOSE);
        } catch (IOException e) {
          who = -1;
        }
        if (who == peer) {
          return new Link(ch, peer, address);
        }
        LOG.warn("refused a connection from {} that did not prove this job's token (as rank {})",
            ch.socket().getRemoteSocketAddress(), who);
        ch.close();
      }
    }
  }

  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    return new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public void allReduce(float[] v, int from, int to) throws IOException {
    run(new Floats(v, from, to));
  }

  @Override
  public void allReduce(double[] v) throws IOException {
    run(new Doubles(v));
  }

  /** The values one call reduces, and how they travel. */
  private interface Elements {
    int length();

    int bytes();

    /** Writes elements [a, b) into {@code out}. */
    void put(ByteBuffer out, int a, int b);

    /** Elements [a, b) become what {@code in} holds plus their own value. */
    void addFrom(ByteBuffer in, int a, int b);

    /** Elements [a, b) become what {@code in} holds. */
    void setFrom(ByteBuffer in, int a, int b);

    /** Rounds elements [a, b) to what travels (a no-op unless values travel narrower). */
    default void roundAsSent(int a, int b) {}
  }

  private void run(Elements e) throws IOException {
    calls++;
    if (size == 1) {
      return;
    }
    int n = e.length();
    int chunks = (n + CHUNK - 1) / CHUNK;
    if (sendBuffer.capacity() < n * e.bytes()) {
      sendBuffer = ByteBuffer.allocateDirect(n * e.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    }
    String waiting = "in all-reduce " + calls + " of " + n + " values";
    try (Watchdog.Armed a = watchdog.arm(waiting + " with ranks " + (rank - 1) + " and " + (rank + 1),
        links())) {
      if (prev != null) {
        checkHeader(n);
      }
      if (next != null) {
        header.clear();
        header.putLong(calls).putInt(n).flip();
        next.send(header.duplicate());
      }
      for (int c = 0; c < chunks; c++) {                  // reduce: prev → this → next
        int lo = c * CHUNK;
        int hi = Math.min(n, lo + CHUNK);
        if (prev != null) {
          prev.readFully(chunk(lo, hi, e));
          e.addFrom(chunkBuffer.flip(), lo, hi);
        }
        if (next != null) {
          next.send(slice(lo, hi, e));
        } else {
          e.roundAsSent(lo, hi);                          // last rank: the sum is final
          prev.sendNow(slice(lo, hi, e));
        }
      }
      if (next != null) {
        for (int c = 0; c < chunks; c++) {                // broadcast: next → this → prev
          int lo = c * CHUNK;
          int hi = Math.min(n, lo + CHUNK);
          next.readFully(chunk(lo, hi, e));
          e.setFrom(chunkBuffer.flip(), lo, hi);
          if (prev != null) {
            prev.sendNow(slice(lo, hi, e));
          }
        }
      }
      if (next != null) {
        next.flush();
      }
      if (prev != null) {
        prev.flush();
      }
      bytesSent += (long) n * e.bytes() * ((next != null ? 1 : 0) + (prev != null ? 1 : 0));
    } catch (IOException ex) {
      IOException explained = watchdog.explain(ex);
      close();                  // unusable now; closing lets the neighbours fail at once, not at their timeout
      throw explained;
    }
  }

  private void checkHeader(int n) throws IOException {
    header.clear();
    prev.readFully(header);
    header.flip();
    long seq = header.getLong();
    int len = header.getInt();
    if (seq != calls || len != n) {
      throw new IOException("rank " + rank + " is in all-reduce " + calls + " of " + n
          + " values but rank " + (rank - 1) + " sent all-reduce " + seq + " of " + len
          + ": the ranks called different operations");
    }
  }

  private ByteBuffer chunk(int lo, int hi, Elements e) {
    chunkBuffer.clear();
    chunkBuffer.limit((hi - lo) * e.bytes());
    return chunkBuffer;
  }

  /**
   * Elements [lo, hi) written into their own range of the send buffer, as a view for one send.
   * The range is rewritten in the broadcast only after the neighbour has read the reduce chunk:
   * the final values exist only once every rank's partial went through.
   */
  private ByteBuffer slice(int lo, int hi, Elements e) {
    ByteBuffer s = sendBuffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    s.clear().position(lo * e.bytes()).limit(hi * e.bytes());
    ByteBuffer view = s.slice().order(ByteOrder.LITTLE_ENDIAN);
    e.put(view, lo, hi);
    return view.flip();
  }

  private java.io.Closeable[] links() {
    return new java.io.Closeable[] {
        () -> { if (prev != null) { prev.channel.close(); } },
        () -> { if (next != null) { next.channel.close(); } }};
  }

  @Override
  public void close() {
    if (prev != null) {
      prev.close();
    }
    if (next != null) {
      next.close();
    }
    watchdog.close();
  }

  private final class Floats implements Elements {
    final float[] v;
    final int from;
    final int to;

    Floats(float[] v, int from, int to) {
      this.v = v;
      this.from = from;
      this.to = to;
    }

    public int length() {
      return to - from;
    }

    public int bytes() {
      return bf16 ? 2 : 4;
    }

    public void put(ByteBuffer out, int a, int b) {
      if (bf16) {
        for (int j = from + a; j < from + b; j++) {
          out.putShort(Bfloat16.encode(v[j]));
        }
        return;
      }
      out.asFloatBuffer().put(v, from + a, b - a);
      out.position(out.position() + (b - a) * 4);
    }

    public void addFrom(ByteBuffer in, int a, int b) {
      if (bf16) {
        for (int i = 0; i < b - a; i++) {
          floatChunk[i] = Bfloat16.decode(in.getShort());
        }
      } else {
        in.asFloatBuffer().get(floatChunk, 0, b - a);
      }
      for (int i = 0, j = from + a; i < b - a; i++, j++) {
        v[j] = floatChunk[i] + v[j];                     // (earlier ranks' sum) + this rank's value
      }
    }

    public void setFrom(ByteBuffer in, int a, int b) {
      if (bf16) {
        for (int j = from + a; j < from + b; j++) {
          v[j] = Bfloat16.decode(in.getShort());
        }
        return;
      }
      in.asFloatBuffer().get(v, from + a, b - a);
    }

    @Override
    public void roundAsSent(int a, int b) {
      if (bf16) {
        for (int j = from + a; j < from + b; j++) {
          v[j] = Bfloat16.decode(Bfloat16.encode(v[j]));
        }
      }
    }
  }

  private final class Doubles implements Elements {
    final double[] v;

    Doubles(double[] v) {
      this.v = v;
    }

    public int length() {
      return v.length;
    }

    public int bytes() {
      return 8;
    }

    public void put(ByteBuffer out, int a, int b) {
      out.asDoubleBuffer().put(v, a, b - a);
      out.position(out.position() + (b - a) * 8);
    }

    public void addFrom(ByteBuffer in, int a, int b) {
      in.asDoubleBuffer().get(doubleChunk, 0, b - a);
      for (int i = 0, j = a; i < b - a; i++, j++) {
        v[j] = doubleChunk[i] + v[j];
      }
    }

    public void setFrom(ByteBuffer in, int a, int b) {
      in.asDoubleBuffer().get(v, a, b - a);
    }
  }
}
