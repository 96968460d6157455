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
 * <p>The release fence before a signal and the acquire fence after it order the region's bytes
 * with the signal, between threads of one JVM as between processes.
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
    tcp.readFully(b);
  }

  @Override
  public ByteBuffer outgoing(int offset, int length) {
    checkOpen();
    pendingEnd = offset + length;
    return region(out, offset, length);
  }

  /** Signals the bytes up to the last {@link #outgoing} view's end; never blocks on the peer. */
  @Override
  public void send(ByteBuffer view, boolean now) throws IOException {
    VarHandle.releaseFence();
    signal.clear();
    signal.putInt(pendingEnd).flip();
    tcp.sendNow(signal);
  }

  @Override
  public ByteBuffer incoming(int offset, int length) throws IOException {
    signal.clear();
    tcp.readFully(signal);
    int end = signal.flip().getInt();
    if (end != offset + length) {
      throw new IOException("rank " + tcp.peerRank() + " at " + tcp.peerAddress() + " signalled bytes up to "
          + end + " where this rank expected " + (offset + length) + ": the ranks are out of step");
    }
    VarHandle.acquireFence();
    checkOpen();
    return region(in, offset, length);
  }

  /** The regions are unmapped on close: touching them then would crash the JVM, not throw. */
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the link to rank " + tcp.peerRank() + " is closed");
    }
  }

  @Override
  public void flush() throws IOException {
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
