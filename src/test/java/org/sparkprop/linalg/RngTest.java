package org.sparkprop.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RngTest {

  @Test
  void sameSeedSameStreamAndReseedRestarts() {
    Rng a = new Rng(42);
    Rng b = new Rng(42);
    long first = a.nextLong();
    assertEquals(first, b.nextLong());
    a.nextLong();
    a.reseed(42);
    assertEquals(first, a.nextLong());
  }

  @Test
  void deriveIsStableAndSeparatesStreams() {
    assertEquals(Rng.derive(1, 2, 3), Rng.derive2(1, 2, 3));
    assertNotEquals(Rng.derive(1, 2, 3), Rng.derive(1, 3, 2));
    assertNotEquals(Rng.derive(1, Rng.SHUFFLE, 0), Rng.derive(1, Rng.DROPOUT, 0));
  }

  @Test
  void uniformDrawsStayInRangeAndLookUniform() {
    Rng r = new Rng(3);
    int[] counts = new int[10];
    for (int i = 0; i < 100_000; i++) {
      float f = r.nextFloat();
      assertTrue(f >= 0f && f < 1f);
      int k = r.nextInt(10);
      counts[k]++;
    }
    for (int c : counts) {
      assertTrue(Math.abs(c - 10_000) < 500, Arrays.toString(counts));
    }
  }

  @Test
  void gaussianHasUnitMomentsAndShuffleIsAPermutation() {
    Rng r = new Rng(5);
    double s = 0;
    double s2 = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussian();
      s += g;
      s2 += g * g;
    }
    assertEquals(0, s / n, 0.01);
    assertEquals(1, s2 / n, 0.02);
    int[] p = new int[1000];
    for (int i = 0; i < p.length; i++) {
      p[i] = i;
    }
    r.shuffle(p, p.length);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    int[] identity = new int[1000];
    Arrays.setAll(identity, i -> i);
    assertArrayEquals(identity, sorted);
    assertTrue(!Arrays.equals(identity, p));
  }
}
