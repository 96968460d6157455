package org.sparkprop.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Sums one {@link Partial} per partition in an order fixed by partition index, whatever order the
 * tasks finish in, so the same data, partitioning and seed give bit-identical weights at any
 * partition count and after any retried task (float addition does not associate, and
 * {@code treeAggregate} merges in completion order).
 *
 * <pre>
 *   P ≤ F     the driver folds the P partials in partition order: ((p0 + p1) + p2) + …
 *   P > F     groups of F consecutive partitions (F = max(16, ⌈√P⌉)) are folded in partition order
 *             on the executors (one shuffle, as treeAggregate's), the driver folds the groups in order
 * </pre>
 */
final class FixedTree {

  static final int MIN_FAN_IN = 16;

  private FixedTree() {}

  static Partial sum(JavaRDD<Partial> partials) {
    int n = partials.getNumPartitions();
    int fanIn = Math.max(MIN_FAN_IN, (int) Math.ceil(Math.sqrt(n)));
    if (n <= fanIn) {
      return foldInOrder(indexed(partials.collect()));
    }
    int groups = (n + fanIn - 1) / fanIn;
    List<Tuple2<Integer, Partial>> sums = partials
        .mapPartitionsWithIndex((i, it) -> {
          List<Tuple2<Integer, Tuple2<Integer, Partial>>> out = new ArrayList<>();
          Partial p = new Partial();
          while (it.hasNext()) {
            p.merge(it.next());
          }
          out.add(new Tuple2<>(i / fanIn, new Tuple2<>(i, p)));
          return out.iterator();
        }, true)
        .mapToPair(t -> t)
        .groupByKey(groups)
        .mapValues(members -> {
          List<Tuple2<Integer, Partial>> list = new ArrayList<>();
          members.forEach(list::add);
          return foldInOrder(list);
        })
        .collect();
    return foldInOrder(sums);
  }

  private static List<Tuple2<Integer, Partial>> indexed(List<Partial> inPartitionOrder) {
    List<Tuple2<Integer, Partial>> out = new ArrayList<>();
    for (int i = 0; i < inPartitionOrder.size(); i++) {
      out.add(new Tuple2<>(i, inPartitionOrder.get(i)));
    }
    return out;
  }

  /** The left fold of the partials sorted by their index. */
  private static Partial foldInOrder(List<Tuple2<Integer, Partial>> members) {
    List<Tuple2<Integer, Partial>> sorted = new ArrayList<>(members);
    sorted.sort((a, b) -> Integer.compare(a._1(), b._1()));
    Partial sum = new Partial();
    for (Tuple2<Integer, Partial> m : sorted) {
      sum.merge(m._2());
    }
    return sum;
  }
}
