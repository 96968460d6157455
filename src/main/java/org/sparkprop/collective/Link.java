package org.sparkprop.collective;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A TCP connection to one neighbour rank. Reads happen on the caller's thread; writes are queued
 * to one writer thread, in order, so that a rank never stops reading while it sends (a chain whose
 * ranks all block in writes would deadlock once the socket buffers fill).
 */
final class Link implements AutoCloseable {

  final SocketChannel channel;
  final int peerRank;
  final String peerAddress;
  private final ExecutorService writer;
  private Future<?> lastWrite;

  Link(SocketChannel channel, int peerRank, String peerAddress) throws IOException {
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

  /** Reads exactly {@code b.remaining()} bytes. */
  void readFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
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
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /** Waits until everything queued has been written; rethrows a writer's failure. */
  void flush() throws IOException {
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
