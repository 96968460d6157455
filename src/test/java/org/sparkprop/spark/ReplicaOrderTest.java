package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import scala.Tuple2;

/** Restoring partition order on a replica's side of the regrouping shuffle, without Spark. */
class ReplicaOrderTest {

  /** Partition p's blocks: n blocks of one row whose feature is 10p + k. */
  static List<Tuple2<Long, Block>> run(int p, int n) {
    List<Block> blocks = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      float[] w = p == 7 ? new float[] {0.5f + k} : null;             // a weighted run, too
      blocks.add(new Block(1, 1, 1, new float[] {10 * p + k}, new float[] {k}, w, "b"));
    }
    List<Tuple2<Long, Block>> out = new ArrayList<>();
    ReplicaOrder.keyed(p, blocks.iterator()).forEachRemaining(out::add);
    return out;
  }

  static List<Float> drain(Iterator<Block> it) {
    List<Float> out = new ArrayList<>();
    it.forEachRemaining(b -> out.add(b.x()[0]));
    return out;
  }

  @Test
  void runsThatArriveEarlyWaitOnDiskAndComeOutInPartitionOrder() {
    List<Tuple2<Long, Block>> in = new ArrayList<>();
    in.addAll(run(7, 2));                                 // partitions 4..7, arriving 7, 5, 4, 6
    in.addAll(run(5, 0));                                 // (5 is empty: only its end marker)
    in.addAll(run(4, 3));
    in.addAll(run(6, 1));
    List<Block> out = new ArrayList<>();
    new ReplicaOrder(in.iterator(), 4, 8).forEachRemaining(out::add);
    assertEquals(List.of(40f, 41f, 42f, 60f, 70f, 71f), drain(out.iterator()));
    Block last = out.get(5);                                     // read back from its file
    assertEquals(1.5f, last.w()[0]);
    assertEquals(1f, last.y()[0]);
  }

  @Test
  void interleavedOrMissingRunsFailLoudly() {
    List<Tuple2<Long, Block>> cut = new ArrayList<>(run(1, 3));
    cut.add(1, run(2, 1).get(0));                         // partition 2 inside partition 1's run
    IllegalStateException a = assertThrows(IllegalStateException.class,
        () -> drain(new ReplicaOrder(cut.iterator(), 0, 3)));
    assertTrue(a.getMessage().contains("was cut by partition 2")
        || a.getMessage().contains("out of order"), a.getMessage());
    List<Tuple2<Long, Block>> missing = new ArrayList<>(run(0, 1));
    IllegalStateException b = assertThrows(IllegalStateException.class,
        () -> drain(new ReplicaOrder(missing.iterator(), 0, 2)));
    assertTrue(b.getMessage().contains("ended before partition 1"), b.getMessage());
    List<Tuple2<Long, Block>> swapped = new ArrayList<>(run(0, 3));
    java.util.Collections.swap(swapped, 0, 1);
    assertThrows(IllegalStateException.class, () -> drain(new ReplicaOrder(swapped.iterator(), 0, 1)));
  }
}
