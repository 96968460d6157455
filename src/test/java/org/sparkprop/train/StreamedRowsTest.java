package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;

class StreamedRowsTest {

  /** 30 rows of 2 features whose first feature is the row's index, as 6 blocks of 5. */
  static List<Block> blocks() {
    Block b = ToySets.twoMoons(30, 0.1, 1);
    float[] x = b.x().clone();
    for (int r = 0; r < 30; r++) {
      x[2 * r] = r;
    }
    return Blocks.shards(new Block(30, 2, 1, x, b.y(), null, "indexed"), 6);
  }

  /** The rows (by index) at stream positions 0..n−1. */
  static int[] order(StreamedRows s, int n) {
    float[] x = new float[2 * n];
    s.gather(Blocks.identity(n), 0, n, x, new float[n], null);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = (int) x[2 * i];
    }
    return out;
  }

  @Test
  void theStreamIsEachWindowOfWRowsShuffledInTurnWhateverTheBlocks() {
    StreamedRows s = new StreamedRows(blocks().iterator(), 30, 8, 7, 2, 1, true);
    int[] got = order(s, 30);
    assertEquals(4, s.windowsRead(), "windows of 8, 8, 8 and 6 rows across blocks of 5");
    for (int k = 0; k < 4; k++) {
      int n = Math.min(8, 30 - 8 * k);
      int[] perm = new int[n];
      EpochPlan.windowPermutation(7, 2, 1, k, true, perm, n);
      for (int i = 0; i < n; i++) {
        assertEquals(8 * k + perm[i], got[8 * k + i], "window " + k + ", position " + i);
      }
    }
    Block joined = Blocks.concat(blocks());
    assertArrayEquals(got, order(new StreamedRows(List.of(joined).iterator(), 30, 8, 7, 2, 1, true),
        30), "the same order from one block");
    int[] whole = new int[30];
    EpochPlan.permutation(7, 2, 1, true, whole, 30);
    assertArrayEquals(whole, order(new StreamedRows(blocks().iterator(), 30, 100, 7, 2, 1, true), 30),
        "one window: the in-memory permutation");
  }

  @Test
  void readsForwardOnlyAndChecksTheCount() {
    StreamedRows s = new StreamedRows(blocks().iterator(), 30, 5, 7, 0, 0, false);
    float[] x = new float[2];
    s.gather(new int[] {27}, 0, 1, x, new float[1], null);            // skips 5 windows
    assertEquals(27f, x[0]);
    s.gather(new int[] {29}, 0, 1, x, new float[1], null);
    assertEquals(29f, x[0]);
    IllegalStateException back = assertThrows(IllegalStateException.class,
        () -> s.gather(new int[] {3}, 0, 1, x, new float[1], null));
    assertTrue(back.getMessage().contains("read forward only"), back.getMessage());
    StreamedRows fewer = new StreamedRows(blocks().iterator(), 40, 5, 7, 0, 0, false);
    IllegalStateException count = assertThrows(IllegalStateException.class,
        () -> fewer.gather(new int[] {35}, 0, 1, x, new float[1], null));
    assertTrue(count.getMessage().contains("streamed 30 rows, 40 were counted"), count.getMessage());
  }
}
