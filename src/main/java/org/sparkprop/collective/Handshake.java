package org.sparkprop.collective;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof that a connecting peer belongs to the job: the listener sends a fresh random nonce, the
 * connector answers with its rank and HMAC-SHA256(token, nonce ‖ purpose ‖ rank), and the listener
 * accepts (one byte, 1) only when the MAC matches. The token travels to the job's tasks in their
 * broadcast and never on these sockets, so a process outside the job can neither join nor read.
 */
final class Handshake {

  static final int NONCE_BYTES = 16;
  static final int MAC_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /** A fresh random token for one stage. */
  static byte[] newToken() {
    byte[] t = new byte[32];
    RANDOM.nextBytes(t);
    return t;
  }

  /**
   * Listener side: challenges the peer and returns its rank, or -1 (after closing nothing) when
   * its proof is wrong; the caller then drops the connection.
   */
  static int challenge(SocketChannel ch, byte[] token, String purpose) throws IOException {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    write(ch, ByteBuffer.wrap(nonce));
    ByteBuffer answer = read(ch, 4 + MAC_BYTES);
    int rank = answer.getInt();
    byte[] mac = new byte[MAC_BYTES];
    answer.get(mac);
    if (!MessageDigest.isEqual(mac, mac(token, nonce, purpose, rank))) {
      return -1;
    }
    write(ch, ByteBuffer.wrap(new byte[] {1}));
    return rank;
  }

  /** Connector side: answers the listener's challenge; throws when the listener refuses. */
  static void prove(SocketChannel ch, byte[] token, String purpose, int rank) throws IOException {
    byte[] nonce = new byte[NONCE_BYTES];
    read(ch, NONCE_BYTES).get(nonce);
    ByteBuffer answer = ByteBuffer.allocate(4 + MAC_BYTES);
    answer.putInt(rank).put(mac(token, nonce, purpose, rank)).flip();
    write(ch, answer);
    try {
      if (read(ch, 1).get() != 1) {
        throw new IOException("refused");
      }
    } catch (EOFException e) {
      throw new IOException("the peer refused the connection: the job's token did not match", e);
    }
  }

  private static byte[] mac(byte[] token, byte[] nonce, String purpose, int rank) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(token, "HmacSHA256"));
      m.update(nonce);
      m.update(purpose.getBytes(StandardCharsets.UTF_8));
      m.update(ByteBuffer.allocate(4).putInt(rank).array());
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  static ByteBuffer read(SocketChannel ch, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("connection closed after " + b.position() + " of " + n + " bytes");
      }
    }
    return b.flip();
  }

  static void write(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
