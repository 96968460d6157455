package org.sparkprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkprop.linalg.Rng;

class BlockListTest {

  /** Three blocks of 5, 1 and 7 rows; the second has weights, the others weigh 1. */
  static List<Block> pieces() {
    Block all = ToySets.blobs(13, 3, 4, 2.0, 5);
    List<Block> out = new ArrayList<>();
    int[] cuts = {0, 5, 6, 13};
    for (int k = 0; k < 3; k++) {
      Block b = Blocks.select(all, Blocks.identity(13), cuts[k], cuts[k + 1], "piece " + k);
      float[] w = k == 1 ? new float[] {0.25f} : null;
      out.add(new Block(b.rows(), b.features(), b.labelWidth(), b.x(), b.y(), w, "piece " + k));
    }
    return out;
  }

  @Test
  void gathersAcrossBlocksExactlyAsTheirConcatenation() {
    List<Block> parts = pieces();
    List<Block> withEmpty = new ArrayList<>(parts);
    withEmpty.add(1, Block.empty(4, 1, false));                  // empty blocks are skipped
    BlockList list = BlockList.of(withEmpty);
    Block joined = Blocks.concat(parts);
    assertEquals(13, list.rows());
    assertEquals(3, list.blockCount());
    assertEquals(6, list.start(2));
    assertTrue(list.weighted());
    int[] idx = Blocks.identity(13);
    new Rng(3).shuffle(idx, idx.length);
    float[][] fromList = {new float[13 * 4], new float[13], new float[13]};
    float[][] fromJoined = {new float[13 * 4], new float[13], new float[13]};
    list.gather(idx, 2, 13, fromList[0], fromList[1], fromList[2]);
    joined.gather(idx, 2, 13, fromJoined[0], fromJoined[1], fromJoined[2]);
    for (int k = 0; k < 3; k++) {
      assertArrayEquals(fromJoined[k], fromList[k]);
    }
    assertTrue(java.util.Arrays.asList(toBoxed(fromList[2])).contains(0.25f), "the weighted row came");
    assertArrayEquals(joined.x(), list.joined().x());
  }

  @Test
  void aSingleBlockIsUsedAsItIsAndNoRowsGiveNull() {
    Block b = pieces().get(0);
    assertSame(b, BlockList.of(List.of(b)).joined());
    assertNull(BlockList.of(List.of(Block.empty(4, 1, false))));
    assertThrows(IllegalArgumentException.class,
        () -> BlockList.of(List.of(b, ToySets.blobs(3, 2, 5, 1.0, 1))), "widths differ");
  }

  private static Float[] toBoxed(float[] a) {
    Float[] out = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
