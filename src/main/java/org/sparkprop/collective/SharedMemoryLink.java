package org.sparkprop.collective;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A link between two ranks on one host: a call's bytes are written once into a memory region both
 * processes map (a file in /dev/shm, see {@link SharedMemory}) and read once from it; the socket
 * carries only a 4-byte signal per chunk, the end offset of the bytes now readable, and the
 * calls' headers. Each direction has its own region of {@code capacity} bytes, and a chunk sits at
 * its offset within the call, so no chunk overwrites another within a call; the chain's order
 * keeps calls apart (a rank writes call k + 1 only after the peer has read all of call k, see
 * {@link ChainAllReduce}). Calls larger than the regions go over the socket ({@link #forBytes}).
 *
 * <p>A waiting rank first spins for a short while on a counter in the mapping, the bytes sent so
 * far in that direction (written with release semantics after the bytes themselves, read with
 * acquire): most waits end there, without the ~40 µs of waking a thread blocked in a socket read.
 * Only then does it block on the socket. The socket's signals are still read, in order, but
 * lazily: every signal is consumed before the next header or at the end of a wait that blocks, so
 * headers and signals never mix, and a vanished peer still shows as a closed socket.
 */
final class SharedMemoryLink implements Link {

  private final TcpLink tcp;
  private final MappedByteBuffer mapping;
  private final ByteBuffer out;
  private final ByteBuffer in;
  private final int capacity;
  private final ByteBuffer signal = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
  private int pendingEnd = -1;
  private boolean closed;
  /** The counters: bytes sent toward the peer and from it, at these offsets of the mapping. */
  private static final java.lang.invoke.VarHandle COUNTER =
      java.lang.invoke.MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private final int outCounter;
  private final int inCounter;
  private long sentTotal;
  private long receivedTotal;
  /** Signals from the peer not read from the socket yet, and the last one's end offset. */
  private int unreadSignals;
  private int lastUnreadEnd = -1;
  /** How long a wait spins before it blocks on the socket. */
  static final long SPIN_NANOS = 200_000;

  /**
   * @param lower true on the lower rank of the pair: it writes the first region and reads the second
   */
  SharedMemoryLink(TcpLink tcp, MappedByteBuffer mapping, int capacity, boolean lower) {
    this.tcp = tcp;
    this.mapping = mapping;
    this.capacity = capacity;
    ByteBuffer first = region(mapping, SharedMemory.HEADER_BYTES, capacity);
    ByteBuffer second = region(mapping, SharedMemory.HEADER_BYTES + capacity, capacity);
    this.out = lower ? first : second;
    this.in = lower ? second : first;
    this.outCounter = lower ? SharedMemory.COUNTER_UP : SharedMemory.COUNTER_DOWN;
    this.inCounter = lower ? SharedMemory.COUNTER_DOWN : SharedMemory.COUNTER_UP;
  }

  private static ByteBuffer region(ByteBuffer b, int offset, int length) {
    ByteBuffer d = b.duplicate();
    d.clear().position(offset).limit(offset + length);
    return d.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public int peerRank() {
    return tcp.peerRank();
  }

  @Override
  public String peerAddress() {
    return tcp.peerAddress();
  }

  @Override
  public SocketChannel channel() {
    return tcp.channel();
  }

  @Override
  public Link forBytes(int callBytes) {
    return callBytes <= capacity ? this : tcp;
  }

  @Override
  public void sendControl(ByteBuffer b) throws IOException {
    tcp.sendNow(b);
  }

  @Override
  public void readControl(ByteBuffer b) throws IOException {
    drainSignals();
    tcp.readFully(b);
  }

  @Override
  public ByteBuffer outgoing(int offset, int length) {
    checkOpen();
    pendingEnd = offset + length;
    sentTotal += length;
    return region(out, offset, length);
  }

  /** Signals the bytes up to the last {@link #outgoing} view's end; never blocks on the peer. */
  @Override
  public void send(ByteBuffer view, boolean now) throws IOException {
    VarHandle.releaseFence();
    COUNTER.setRelease(mapping, outCounter, sentTotal);
    signal.clear();
    signal.putInt(pendingEnd).flip();
    tcp.sendNow(signal);
  }

  @Override
  public ByteBuffer incoming(int offset, int length) throws IOException {
    checkOpen();
    receivedTotal += length;
    long deadline = System.nanoTime() + SPIN_NANOS;
    while ((long) COUNTER.getAcquire(mapping, inCounter) < receivedTotal
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    if ((long) COUNTER.getAcquire(mapping, inCounter) >= receivedTotal) {
      unreadSignals++;                                    // its signal is read later
      lastUnreadEnd = offset + length;
    } else {
      drainSignals();                                     // earlier ones, then block for ours
      readSignal(offset + length);
    }
    VarHandle.acquireFence();
    return region(in, offset, length);
  }

  /** Reads the signals of bytes already taken from the counter (they are sent right after it). */
  private void drainSignals() throws IOException {
    if (unreadSignals == 0) {
      return;
    }
    ByteBuffer all = ByteBuffer.allocate(4 * unreadSignals).order(ByteOrder.LITTLE_ENDIAN);
    tcp.readFully(all);
    all.flip();
    int end = 0;
    while (all.hasRemaining()) {
      end = all.getInt();
    }
    unreadSignals = 0;
    if (end != lastUnreadEnd) {
      throw outOfStep(end, lastUnreadEnd);
    }
  }

  private void readSignal(int expectedEnd) throws IOException {
    signal.clear();
    tcp.readFully(signal);
    int end = signal.flip().getInt();
    if (end != expectedEnd) {
      throw outOfStep(end, expectedEnd);
    }
  }

  private IOException outOfStep(int end, int expected) {
    return new IOException("rank " + tcp.peerRank() + " at " + tcp.peerAddress() + " signalled bytes up to "
        + end + " where this rank expected " + expected + ": the ranks are out of step");
  }

  /** The regions are unmapped on close: touching them then would crash the JVM, not throw. */
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the link to rank " + tcp.peerRank() + " is closed");
    }
  }

  @Override
  public void flush() throws IOException {
    drainSignals();
    tcp.flush();
  }

  @Override
  public void close() {
    tcp.close();
    if (!closed) {
      closed = true;
      SharedMemory.unmap(mapping);
    }
  }
}
