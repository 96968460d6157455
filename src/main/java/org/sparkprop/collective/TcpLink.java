package org.sparkprop.collective;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A TCP connection to one neighbour rank, the bytes travelling on the socket. Reads happen on the
 * caller's thread; queued writes go to one writer thread, in order, so that a rank never stops
 * reading while it sends (a chain whose ranks all block in writes would deadlock once the socket
 * buffers fill). Outgoing chunks are staged in a buffer of the call's size, so a queued chunk stays
 * intact while the caller fills the next.
 */
final class TcpLink implements Link {

  final SocketChannel channel;
  final int peerRank;
  final String peerAddress;
  private final ExecutorService writer;
  private Future<?> lastWrite;
  private ByteBuffer staging = ByteBuffer.allocateDirect(0);
  private ByteBuffer receiving = ByteBuffer.allocateDirect(0);

  TcpLink(SocketChannel channel, int peerRank, String peerAddress) throws IOException {
    this.channel = channel;
    this.peerRank = peerRank;
    this.peerAddress = peerAddress;
    channel.configureBlocking(true);
    channel.socket().setTcpNoDelay(true);
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sparkprop-collective-writer-to-rank-" + peerRank);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public int peerRank() {
    return peerRank;
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  @Override
  public SocketChannel channel() {
    return channel;
  }

  @Override
  public ByteBuffer outgoing(int offset, int length) {
    if (staging.capacity() < offset + length) {
      staging = ByteBuffer.allocateDirect(Math.max(offset + length, 2 * staging.capacity()));
    }
    ByteBuffer s = staging.duplicate();
    s.clear().position(offset).limit(offset + length);
    return s.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void send(ByteBuffer view, boolean now) throws IOException {
    if (now) {
      sendNow(view);
    } else {
      send(view);
    }
  }

  @Override
  public Link forBytes(int callBytes) {
    return this;
  }

  @Override
  public void sendControl(ByteBuffer b) {
    send(b);
  }

  @Override
  public void readControl(ByteBuffer b) throws IOException {
    readFully(b);
  }

  @Override
  public ByteBuffer incoming(int offset, int length) throws IOException {
    if (receiving.capacity() < length) {
      receiving = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
    }
    receiving.clear().limit(length);
    readFully(receiving);
    return receiving.flip();
  }

  /** Reads exactly {@code b.remaining()} bytes. */
  void readFully(ByteBuffer b) throws IOException {
    int got;
    while (b.hasRemaining()) {
      try {
        got = channel.read(b);
      } catch (IOException e) {
        throw new IOException("reading from rank " + peerRank + " at " + peerAddress + " failed ("
            + e.getMessage() + "; its task failed or its executor was lost)", e);
      }
      if (got < 0) {
        throw new EOFException("rank " + peerRank + " at " + peerAddress + " closed the connection "
            + "(its task failed or its executor was lost)");
      }
    }
  }

  /** Queues {@code b} (a view the caller will not modify until {@link #flush}) for writing. */
  void send(ByteBuffer b) {
    lastWrite = writer.submit(() -> {
      while (b.hasRemaining()) {
        channel.write(b);
      }
      return null;
    });
  }

  /**
   * Writes {@code b} on the caller's thread, after everything queued before it. Safe only where the
   * peer is sure to be reading (see {@link ChainAllReduce}'s broadcast).
   */
  void sendNow(ByteBuffer b) throws IOException {
    flush();
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      throw new IOException("sending to rank " + peerRank + " at " + peerAddress + " failed ("
          + e.getMessage() + "; its task failed or its executor was lost)", e);
    }
  }

  /** Waits until everything queued has been written; rethrows a writer's failure. */
  @Override
  public void flush() throws IOException {
    if (lastWrite == null) {
      return;
    }
    try {
      lastWrite.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending to rank " + peerRank, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new IOException("sending to rank " + peerRank + " at " + peerAddress + " failed: " + c, c);
    } finally {
      lastWrite = null;
    }
  }

  @Override
  public void close() {
    writer.shutdownNow();
    try {
      channel.close();
    } catch (IOException ignored) {
      // already closed or broken: nothing left to release
    }
  }
}
