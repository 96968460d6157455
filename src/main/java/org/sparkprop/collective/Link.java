package org.sparkprop.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One connection to a neighbour rank, as the chain uses it: chunks of a call's byte range go out
 * and come in at their offsets within that range. Two ways to move them: {@link TcpLink} (the
 * bytes travel on the socket) and {@link SharedMemoryLink} (ranks on one host: the bytes are
 * written once into memory both map, and only a 4-byte signal travels on the socket).
 */
interface Link extends AutoCloseable {

  /** The neighbour's rank. */
  int peerRank();

  /** The neighbour's host:port, for messages. */
  String peerAddress();

  /** The socket to the neighbour (closing it is how a watchdog wakes a blocked call). */
  SocketChannel channel();

  /** The link that carries a call of {@code callBytes} bytes: this one, or a slower one that can. */
  Link forBytes(int callBytes);

  /** Sends {@code b} (a call's header) on the socket, in order with this link's sends. */
  void sendControl(ByteBuffer b) throws IOException;

  /** Reads exactly {@code b.remaining()} bytes of a header from the socket. */
  void readControl(ByteBuffer b) throws IOException;

  /**
   * A writable view for bytes [offset, offset + length) of the current call, to pass to
   * {@link #send} once filled. Its contents stay as written until the peer has read them.
   */
  ByteBuffer outgoing(int offset, int length);

  /**
   * Hands a filled view from {@link #outgoing} to the peer. With {@code now} false a socket write
   * may be queued to a writer thread, so the caller keeps reading while it drains; with
   * {@code now} true it completes on the caller's thread (only where the peer is sure to read).
   */
  void send(ByteBuffer view, boolean now) throws IOException;

  /**
   * Waits for the peer's bytes [offset, offset + length) of the current call and returns them as
   * a readable view, valid until the next call of this method.
   */
  ByteBuffer incoming(int offset, int length) throws IOException;

  /** Waits until everything sent has been written; rethrows a writer's failure. */
  void flush() throws IOException;

  @Override
  void close();
}
