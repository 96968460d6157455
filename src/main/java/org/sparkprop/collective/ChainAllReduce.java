package org.sparkprop.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

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

  static final String PURPOSE = "sparkprop-chain";
  /** Elements per pipelined chunk (128 KB of floats). */
  static final int CHUNK = 32 * 1024;

  private final int rank;
  private final int size;
  private final Link prev;
  private final Link next;
  private final Watchdog watchdog;
  private final boolean bf16;
  /** Doubles a call may carry in its headers ({@link #allReduce(float[], int, int, double[])}). */
  static final int MAX_EXTRAS = 16;
  /** The header a call sends up (seq, n, extras count, the extras' partial sums) ... */
  private final ByteBuffer header = ByteBuffer.allocate(16 + 8 * MAX_EXTRAS).order(ByteOrder.LITTLE_ENDIAN);
  /** ... and the one it sends down before the broadcast (the extras' final sums). */
  private final ByteBuffer downHeader = ByteBuffer.allocate(8 * MAX_EXTRAS).order(ByteOrder.LITTLE_ENDIAN);
  private static final double[] NO_EXTRAS = new double[0];
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
    return connect(rank, addresses, server, token, timeoutMs, bf16, 0);
  }

  /**
   * As above; with {@code sharedBytes} > 0, neighbours on one host move calls of up to that many
   * bytes through shared memory ({@link SharedMemoryLink}) instead of the socket, bitwise the same
   * result in less time. Larger calls, and neighbours on other hosts, use the socket.
   */
  public static ChainAllReduce connect(int rank, List<String> addresses, ServerSocketChannel server,
                                       byte[] token, long timeoutMs, boolean bf16, int sharedBytes)
      throws IOException {
    int size = addresses.size();
    if (rank < 0 || rank >= size) {
      throw new IllegalArgumentException("rank " + rank + " outside 0.." + (size - 1));
    }
    Watchdog dog = new Watchdog(timeoutMs);
    Link next = null;
    Link prev = null;
    try {
      if (rank < size - 1) {
        TcpLink tcp = Connections.connectTo(rank, rank + 1, addresses.get(rank + 1), token, dog);
        next = tcp;
        try (Watchdog.Armed a = dog.arm("offering shared memory to rank " + (rank + 1), tcp.channel)) {
          next = SharedMemory.offer(tcp, sharedBytes);
        } catch (IOException e) {
          throw dog.explain(e);
        }
      }
      if (rank > 0) {
        TcpLink tcp = Connections.acceptFrom(rank - 1, addresses.get(rank - 1), server, token, dog);
        prev = tcp;
        try (Watchdog.Armed a = dog.arm("answering rank " + (rank - 1) + "'s shared memory offer",
            tcp.channel)) {
          prev = SharedMemory.accept(tcp, sharedBytes > 0);
        } catch (IOException e) {
          throw dog.explain(e);
        }
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

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  /** How many of this rank's links move their bytes through shared memory (0, 1 or 2). */
  public int sharedLinks() {
    return (prev instanceof SharedMemoryLink ? 1 : 0) + (next instanceof SharedMemoryLink ? 1 : 0);
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public void allReduce(float[] v, int from, int to) throws IOException {
    run(new Floats(v, from, to, bf16), NO_EXTRAS);
  }

  /**
   * {@inheritDoc} The extras travel in the call's headers, so they cost no round trip of their own:
   * each rank adds its value to the partial sum from below (the same left fold in rank order as
   * {@link #allReduce(double[])}), and the last rank's total comes back down before the values.
   */
  @Override
  public void allReduce(float[] v, int from, int to, double[] extras) throws IOException {
    if (extras.length > MAX_EXTRAS) {
      throw new IllegalArgumentException("at most " + MAX_EXTRAS + " extras, got " + extras.length);
    }
    run(new Floats(v, from, to, bf16), extras);
  }

  @Override
  public void allReduce(double[] v) throws IOException {
    run(new Doubles(v), NO_EXTRAS);
  }

  /**
   * Rank 0's values flow up the chain 0 → 1 → … → R−1 in pipelined chunks; each rank keeps a copy
   * and passes it on. Full precision even with bf16 (these are weights, not gradients). At the end
   * each rank acknowledges to the one below it, so a following call cannot overwrite a shared
   * region the rank above has not read yet.
   */
  @Override
  public void broadcast(float[] v, int from, int to) throws IOException {
    calls++;
    if (size == 1) {
      return;
    }
    Elements e = new Floats(v, from, to, false);
    int n = e.length();
    int b = e.bytes();
    int chunks = (n + CHUNK - 1) / CHUNK;
    Link down = prev == null ? null : prev.forBytes(n * b);
    Link up = next == null ? null : next.forBytes(n * b);
    try (Watchdog.Armed a = watchdog.arm("in broadcast " + calls + " of " + n + " values with ranks "
        + (rank - 1) + " and " + (rank + 1), links())) {
      if (down != null) {
        checkHeader(down, n, NO_EXTRAS);
      }
      if (up != null) {
        header.clear();
        header.putLong(calls).putInt(n).putInt(0).flip();
        up.sendControl(header.duplicate());
      }
      for (int c = 0; c < chunks; c++) {
        int lo = c * CHUNK;
        int hi = Math.min(n, lo + CHUNK);
        if (down != null) {
          e.setFrom(down.incoming(lo * b, (hi - lo) * b), lo, hi);
        }
        if (up != null) {
          sendChunk(up, e, lo, hi, false);
        }
      }
      if (down != null) {
        down.sendControl(ByteBuffer.wrap(new byte[] {1}));   // queued: its own buffer
      }
      if (up != null) {
        up.readControl(ByteBuffer.allocate(1));
        up.flush();
      }
      if (down != null) {
        down.flush();
      }
      bytesSent += up != null ? (long) n * b : 0;
    } catch (IOException ex) {
      IOException explained = watchdog.explain(ex);
      close();
      throw explained;
    }
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

  private void run(Elements e, double[] extras) throws IOException {
    calls++;
    if (size == 1) {
      return;
    }
    int n = e.length();
    int b = e.bytes();
    int chunks = (n + CHUNK - 1) / CHUNK;
    Link down = prev == null ? null : prev.forBytes(n * b);          // toward rank − 1
    Link up = next == null ? null : next.forBytes(n * b);            // toward rank + 1
    String waiting = "in all-reduce " + calls + " of " + n + " values";
    try (Watchdog.Armed a = watchdog.arm(waiting + " with ranks " + (rank - 1) + " and " + (rank + 1),
        links())) {
      if (down != null) {
        checkHeader(down, n, extras);                   // extras = (sum below) + own
      }
      if (up != null) {
        header.clear();
        header.putLong(calls).putInt(n).putInt(extras.length);
        for (double x : extras) {
          header.putDouble(x);
        }
        up.sendControl(header.flip().duplicate());
      } else if (extras.length > 0) {
        down.sendControl(putExtras(extras));            // last rank: the extras' totals
      }
      for (int c = 0; c < chunks; c++) {                  // reduce: prev → this → next
        int lo = c * CHUNK;
        int hi = Math.min(n, lo + CHUNK);
        if (down != null) {
          e.addFrom(down.incoming(lo * b, (hi - lo) * b), lo, hi);
        }
        if (up != null) {
          sendChunk(up, e, lo, hi, false);
        } else {
          e.roundAsSent(lo, hi);                          // last rank: the sum is final
          sendChunk(down, e, lo, hi, true);
        }
      }
      if (up != null) {
        if (extras.length > 0) {
          ByteBuffer totals = ByteBuffer.allocate(8 * extras.length).order(ByteOrder.LITTLE_ENDIAN);
          up.readControl(totals);
          totals.flip();
          for (int i = 0; i < extras.length; i++) {
            extras[i] = totals.getDouble();
          }
          if (down != null) {
            down.sendControl(putExtras(extras));
          }
        }
        for (int c = 0; c < chunks; c++) {                // broadcast: next → this → prev
          int lo = c * CHUNK;
          int hi = Math.min(n, lo + CHUNK);
          e.setFrom(up.incoming(lo * b, (hi - lo) * b), lo, hi);
          if (down != null) {
            sendChunk(down, e, lo, hi, true);
          }
        }
      }
      if (up != null) {
        up.flush();
      }
      if (down != null) {
        down.flush();
      }
      bytesSent += (long) n * b * ((up != null ? 1 : 0) + (down != null ? 1 : 0));
    } catch (IOException ex) {
      IOException explained = watchdog.explain(ex);
      close();                  // unusable now; closing lets the neighbours fail at once, not at their timeout
      throw explained;
    }
  }

  /** Writes elements [lo, hi) into {@code link}'s outgoing bytes of this call and sends them. */
  private static void sendChunk(Link link, Elements e, int lo, int hi, boolean now)
      throws IOException {
    int b = e.bytes();
    ByteBuffer out = link.outgoing(lo * b, (hi - lo) * b);
    e.put(out, lo, hi);
    link.send(out.flip(), now);
  }

  /** Reads the header from below and checks it; {@code extras} become (partial sums) + own. */
  private void checkHeader(Link down, int n, double[] extras) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(16 + 8 * extras.length).order(ByteOrder.LITTLE_ENDIAN);
    down.readControl(in);
    in.flip();
    long seq = in.getLong();
    int len = in.getInt();
    int k = in.getInt();
    if (seq != calls || len != n || k != extras.length) {
      throw new IOException("rank " + rank + " is in call " + calls + " of " + n + " values and "
          + extras.length + " extras but rank " + (rank - 1) + " sent call " + seq + " of " + len
          + " values and " + k + " extras: the ranks called different operations");
    }
    for (int i = 0; i < k; i++) {
      extras[i] = in.getDouble() + extras[i];
    }
  }

  /** The extras' totals in {@link #downHeader}, ready to send (sent before it is refilled). */
  private ByteBuffer putExtras(double[] extras) {
    downHeader.clear();
    for (double x : extras) {
      downHeader.putDouble(x);
    }
    return downHeader.flip().duplicate();
  }

  private java.io.Closeable[] links() {
    return new java.io.Closeable[] {
        () -> { if (prev != null) { prev.channel().close(); } },
        () -> { if (next != null) { next.channel().close(); } }};
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
    final boolean bf16;

    Floats(float[] v, int from, int to, boolean bf16) {
      this.v = v;
      this.from = from;
      this.to = to;
      this.bf16 = bf16;
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
