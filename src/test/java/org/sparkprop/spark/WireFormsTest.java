package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
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
}
