package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;

/** Packing a partition into blocks of bounded size, without Spark: rows in, blocks out. */
class RowPackerTest {

  /** n rows of 3 features (every third one sparse), label r % 2, weight 1 + r. */
  static List<Row> rows(int n) {
    List<Row> out = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      var v = r % 3 == 0 ? Vectors.sparse(3, new int[] {1}, new double[] {r})
          : Vectors.dense(r, -r, 0.5 * r);
      out.add(RowFactory.create(v, (double) (r % 2), 1.0 + r));
    }
    return out;
  }

  static List<Block> pack(List<Row> rows, int blockFloats) {
    List<Block> out = new ArrayList<>();
    new RowPacker(rows.iterator(), 0, false, true, blockFloats).forEachRemaining(out::add);
    return out;
  }

  @Test
  void blocksHoldAtMostTheCapAndJoinToTheWholePartition() {
    List<Row> rows = rows(100);
    Block whole = pack(rows, Integer.MAX_VALUE - 8).get(0);
    List<Block> blocks = pack(rows, 30);                          // 10 rows of 3 features each
    assertEquals(10, blocks.size());
    for (Block b : blocks) {
      assertEquals(10, b.rows());
    }
    Block joined = Blocks.concat(blocks);
    assertArrayEquals(whole.x(), joined.x());
    assertArrayEquals(whole.y(), joined.y());
    assertArrayEquals(whole.w(), joined.w());
    assertEquals(0f, whole.x()[3 * 3]);                           // row 3 is sparse: 0, 3, 0
    assertEquals(3f, whole.x()[3 * 3 + 1]);
    List<Block> uneven = pack(rows(25), 30);
    assertEquals(List.of(10, 10, 5), uneven.stream().map(Block::rows).toList());
  }

  @Test
  void anEmptyPartitionGivesOneEmptyBlockAndBadRowsAreNamedAcrossBlocks() {
    List<Block> none = pack(List.of(), 30);
    assertEquals(1, none.size());
    assertEquals(0, none.get(0).rows());
    List<Row> rows = rows(40);
    rows.set(23, RowFactory.create(Vectors.dense(1, Double.NaN, 2), 0.0, 1.0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pack(rows, 30));
    assertTrue(e.getMessage().startsWith("row 23 of a partition has feature 1"), e.getMessage());
    rows.set(23, RowFactory.create(Vectors.dense(1, 2), 0.0, 1.0));
    e = assertThrows(IllegalArgumentException.class, () -> pack(rows, 30));
    assertTrue(e.getMessage().contains("row 23 of a partition has 2 features, expected 3"),
        e.getMessage());
  }
}
