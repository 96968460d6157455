package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the driver broadcasts and what tasks send back survive Java serialisation exactly. */
class WireFormsTest {

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @Test
  void snapshotRoundTrips() throws Exception {
    float[] params = {1.5f, -2f, Float.NaN, 0f};
    float[][] slots = {{0.1f, 0.2f, 0.3f, 0.4f}, {1, 2, 3, 4}};
    Snapshot back = roundTrip(new Snapshot(params, new float[] {7f}, slots, "adam"));
    assertArrayEquals(params, back.params);
    assertArrayEquals(new float[] {7f}, back.netState);
    assertArrayEquals(slots[0], back.innerState[0]);
    assertArrayEquals(slots[1], back.innerState[1]);
    assertEquals("adam", back.innerOptimizer);
    Snapshot sync = roundTrip(new Snapshot(params, new float[0], null, null));
    assertNull(sync.innerState);
    assertNull(sync.innerOptimizer);
    assertEquals(0, sync.netState.length);
  }

  @Test
  void partialRoundTripsArraysAndCounters() throws Exception {
    Partial p = new Partial();
    p.vector = new float[] {3f, -1f};
    p.inner = new float[][] {{1f, 2f}, {5f, 6f}};
    p.sums.lossSum = 2.5;
    p.sums.rows = 10;
    p.computeSeconds = 0.25;
    p.tasks = 1;
    p.divergedAt = 7;
    p.divergence = "the loss is NaN";
    Partial back = roundTrip(p);
    assertArrayEquals(p.vector, back.vector);
    assertNull(back.state);
    assertArrayEquals(p.inner[1], back.inner[1]);
    assertEquals(2.5, back.sums.lossSum);
    assertEquals(10, back.sums.rows);
    assertEquals(0.25, back.computeSeconds);
    assertEquals(7, back.divergedAt);
    assertEquals("the loss is NaN", back.divergence);
    Partial empty = roundTrip(new Partial());
    assertNull(empty.vector);
    assertNull(empty.inner);
    assertTrue(empty.sums.rows == 0);
  }

  /** Partial writes its fields by hand: a field added without a line in writeExternal fails here. */
  @Test
  void partialCarriesEveryField() throws Exception {
    Partial p = new Partial();
    int distinct = 1;
    for (Object owner : new Object[] {p, p.sums}) {
      for (java.lang.reflect.Field f : owner.getClass().getDeclaredFields()) {
        if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
            || java.lang.reflect.Modifier.isFinal(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Class<?> t = f.getType();
        distinct++;
        if (t == double.class) {
          f.setDouble(owner, distinct + 0.5);
        } else if (t == long.class) {
          f.setLong(owner, 1000L * distinct);
        } else if (t == int.class) {
          f.setInt(owner, distinct);
        } else if (t == String.class) {
          f.set(owner, "field " + distinct);
        } else if (t == float[].class) {
          f.set(owner, new float[] {distinct});
        } else if (t == float[][].class) {
          f.set(owner, new float[][] {{distinct}, null});
        } else {
          throw new AssertionError("field " + f + ": add its type to this test and to writeExternal");
        }
      }
    }
    Partial back = roundTrip(p);
    for (Object[] pair : new Object[][] {{p, back}, {p.sums, back.sums}}) {
      for (java.lang.reflect.Field f : pair[0].getClass().getDeclaredFields()) {
        if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
            || java.lang.reflect.Modifier.isFinal(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object want = f.get(pair[0]);
        Object got = f.get(pair[1]);
        if (want instanceof float[][] a) {
          float[][] b = (float[][]) got;
          assertEquals(a.length, b.length, f.getName());
          assertArrayEquals(a[0], b[0], f.getName());
          assertNull(b[1], f.getName());
        } else if (want instanceof float[] a) {
          assertArrayEquals(a, (float[]) got, f.getName());
        } else {
          assertEquals(want, got, f.getName());
        }
      }
    }
  }

  /** Block's fields with a bad shape (5 rows, 1 value): what a hand-made stream could claim. */
  static final class FakeBlock implements Serializable {
    private static final long serialVersionUID = 1L;
    int rows = 5;
    int features = 1;
    int labelWidth = 1;
    float[] x = {1f};
    float[] y = {0f};
    float[] w = null;
  }

  /** Snapshot's fields, for the same attack. */
  static final class FakeSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;
    float[] params = {Float.NaN};
    float[] netState = {};
    float[][] innerState = null;
    String innerOptimizer = null;
  }

  /** {@code o} serialised, its class renamed to {@code asClass} in the stream's class descriptor. */
  static byte[] streamNaming(Serializable o, String asClass) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    byte[] from = utf(o.getClass().getName());
    byte[] to = utf(asClass);
    byte[] s = bytes.toByteArray();
    for (int i = 0; i + from.length <= s.length; i++) {
      if (java.util.Arrays.equals(s, i, i + from.length, from, 0, from.length)) {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.write(s, 0, i);
        r.write(to);
        r.write(s, i + from.length, s.length - i - from.length);
        return r.toByteArray();
      }
    }
    throw new AssertionError("class name not found in the stream");
  }

  private static byte[] utf(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    byte[] r = new byte[b.length + 2];
    r[0] = (byte) (b.length >> 8);
    r[1] = (byte) b.length;
    System.arraycopy(b, 0, r, 2, b.length);
    return r;
  }

  @Test
  void aHandMadeStreamCannotSkipTheWireForms() throws Exception {
    for (Object[] c : new Object[][] {{new FakeBlock(), org.sparkprop.data.Block.class, "a Block"},
        {new FakeSnapshot(), Snapshot.class, "a Snapshot"}}) {
      byte[] stream = streamNaming((Serializable) c[0], ((Class<?>) c[1]).getName());
      InvalidObjectException e = assertThrows(InvalidObjectException.class, () -> {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
          in.readObject();
        }
      });
      assertEquals(c[2] + " is read only through its Wire form", e.getMessage());
    }
  }
}
