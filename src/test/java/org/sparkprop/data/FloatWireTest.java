package org.sparkprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class FloatWireTest {

  static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  static Object deserialize(byte[] b) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return in.readObject();
    }
  }

  /** Lengths around the 16,384-float chunk, and bits that only a raw copy keeps. */
  @Test
  void arraysKeepEveryBitAcrossChunks() throws Exception {
    for (int n : new int[] {0, 1, 7, 16_383, 16_384, 16_385, 50_001}) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = switch (i % 5) {
          case 0 -> Float.intBitsToFloat(0x7fc01234);           // a NaN with a payload
          case 1 -> -0f;
          case 2 -> Float.MIN_VALUE;
          case 3 -> Float.NEGATIVE_INFINITY;
          default -> i * 0.37f - 11f;
        };
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        FloatWire.write(out, a);
        FloatWire.write(out, null);
        FloatWire.writeAll(out, new float[][] {a, null});
        FloatWire.writeAll(out, null);
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        float[] back = FloatWire.read(in);
        assertNull(FloatWire.read(in));
        float[][] all = FloatWire.readAll(in);
        assertNull(FloatWire.readAll(in));
        for (float[] b : new float[][] {back, all[0]}) {
          assertEquals(n, b.length);
          for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "n=" + n + " i=" + i);
          }
        }
        assertNull(all[1]);
      }
    }
  }

  @Test
  void blockRoundTripsAtFourBytesPerFloat() throws Exception {
    int rows = 3_000;
    float[] x = new float[rows * 20];
    float[] y = new float[rows];
    float[] w = new float[rows];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i);
    }
    for (int r = 0; r < rows; r++) {
      y[r] = r % 4;
      w[r] = 1 + r % 3;
    }
    Block b = new Block(rows, 20, 1, x, y, w, "test");
    byte[] bytes = serialize(b);
    assertTrue(bytes.length < 4.01 * (x.length + y.length + w.length) + 1_000, bytes.length + " bytes");
    Block back = (Block) deserialize(bytes);
    assertEquals(rows, back.rows());
    assertEquals(20, back.features());
    assertArrayEquals(x, back.x());
    assertArrayEquals(y, back.y());
    assertArrayEquals(w, back.w());
    Block unweighted = (Block) deserialize(serialize(new Block(rows, 20, 1, x, y, null, "test")));
    assertNull(unweighted.w());
  }

  /** A stream that says 21 features for 20-wide rows is refused, not read as a shifted block. */
  @Test
  void corruptBlockIsRefused() throws Exception {
    Block b = new Block(2, 3, 1, new float[] {1, 2, 3, 4, 5, 6}, new float[] {0, 1}, null, "test");
    byte[] bytes = serialize(b);
    byte[] rowsThree = new byte[] {0, 0, 0, 2, 0, 0, 0, 3};   // rows = 2, features = 3, big-endian
    int at = indexOf(bytes, rowsThree);
    assertTrue(at > 0);
    bytes[at + 7] = 4;                                        // features = 4: 8 floats expected
    InvalidObjectException e = assertThrows(InvalidObjectException.class, () -> deserialize(bytes));
    assertTrue(e.getMessage().contains("corrupt serialised block"), e.getMessage());
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
