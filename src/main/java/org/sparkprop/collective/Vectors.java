package org.sparkprop.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Float vectors on a socket as raw little-endian bytes: count, then per vector its length and its
 * values, through one 1 MB buffer (no per-element serialisation).
 */
final class Vectors {

  private static final int BUFFER = 1 << 20;
  /** Refuses absurd headers from a broken peer before allocating. */
  private static final int MAX_COUNT = 1 << 16;

  private Vectors() {}

  static void write(SocketChannel ch, float[][] vectors) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(4 + 4 * vectors.length);
    head.putInt(vectors.length);
    for (float[] v : vectors) {
      head.putInt(v.length);
    }
    Handshake.write(ch, head.flip());
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      for (int at = 0; at < v.length; ) {
        int k = Math.min(v.length - at, BUFFER / 4);
        buf.clear();
        buf.asFloatBuffer().put(v, at, k);
        buf.limit(4 * k);
        Handshake.write(ch, buf);
        at += k;
      }
    }
  }

  /** A few doubles: count, then the values (big-endian, as ByteBuffer writes them). */
  static void writeNumbers(SocketChannel ch, double[] numbers) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * numbers.length).putInt(numbers.length);
    for (double x : numbers) {
      b.putDouble(x);
    }
    Handshake.write(ch, b.flip());
  }

  static double[] readNumbers(SocketChannel ch) throws IOException {
    int count = Handshake.read(ch, 4).getInt();
    if (count < 0 || count > MAX_COUNT) {
      throw new IOException("a peer announced " + count + " numbers");
    }
    ByteBuffer b = Handshake.read(ch, 8 * count);
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      out[i] = b.getDouble();
    }
    return out;
  }

  static float[][] read(SocketChannel ch) throws IOException {
    int count = Handshake.read(ch, 4).getInt();
    if (count < 0 || count > MAX_COUNT) {
      throw new IOException("a peer announced " + count + " vectors");
    }
    ByteBuffer lengths = Handshake.read(ch, 4 * count);
    float[][] out = new float[count][];
    for (int i = 0; i < count; i++) {
      int n = lengths.getInt();
      if (n < 0) {
        throw new IOException("a peer announced a vector of " + n + " floats");
      }
      out[i] = new float[n];
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : out) {
      for (int at = 0; at < v.length; ) {
        int k = Math.min(v.length - at, BUFFER / 4);
        buf.clear().limit(4 * k);
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            throw new java.io.EOFException("the connection closed in the middle of a vector");
          }
        }
        buf.flip();
        buf.asFloatBuffer().get(v, at, k);
        at += k;
      }
    }
    return out;
  }
}
