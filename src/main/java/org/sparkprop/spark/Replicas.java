package org.sparkprop.spark;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.Partition;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import org.sparkprop.data.Block;

/**
 * Partitions are the user's; replicas are the copies of the model that step independently. The
 * number of replicas follows the cluster and the data, never the partitioning alone:
 *
 * <pre>
 *   R = min(P partitions, task slots, ⌊N / (b · minSteps)⌋)      at least 1
 * </pre>
 * so 32 partitions on two cores train as 2 replicas (no task waves, and each replica steps on a
 * full per-replica batch b), and a small dataset never trains as replicas that would each take
 * fewer than {@code minSteps} steps per epoch (too few sequential steps to learn from in a fixed
 * number of epochs). Replica r trains on the contiguous partitions ⌊r·P/R⌋ … ⌊(r+1)·P/R⌋ − 1,
 * their rows in partition order: the grouping depends on P and R only, so the weights depend
 * on the data, its partitioning, the seed and R. A replica's partitions stay separate blocks in
 * its one partition, never joined into one array: the tasks train on them as one sequence of
 * rows ({@link org.sparkprop.data.BlockList}).
 */
public final class Replicas {

  private Replicas() {}

  /** The number of replicas, and why (for the log and the run's summary). */
  public record Choice(int replicas, String reason) {}

  /**
   * The number of replicas.
   *
   * @param requested the user's spark.replicas (0 = automatic)
   * @param partitions P
   * @param slots the cluster's task slots (executor cores)
   * @param rows N, the training rows
   * @param batchSize b, rows per replica per step (0 = full batch)
   * @param minSteps the fewest steps per epoch a replica may get when R is automatic
   */
  public static Choice choose(int requested, int partitions, int slots, long rows, int batchSize,
                              int minSteps) {
    if (requested > 0) {
      int r = Math.min(requested, partitions);
      return new Choice(r, r < requested ? "spark.replicas = " + requested + ", but the data has only "
          + partitions + " partitions" : "spark.replicas = " + requested);
    }
    int bySlots = Math.max(1, Math.min(partitions, slots));
    long byData = batchSize <= 0 ? bySlots : Math.max(1, rows / ((long) batchSize * minSteps));
    if (byData < bySlots) {
      return new Choice((int) byData, rows + " rows at batch " + batchSize + " per replica give "
          + "at least " + minSteps + " steps per epoch to " + byData + " replica(s) only "
          + "(spark.minReplicaSteps)");
    }
    return new Choice(bySlots, bySlots < partitions ? partitions + " partitions on " + slots
        + " task slots" : "one replica per partition");
  }

  /** First partition of replica r: ⌊r·P/R⌋. */
  static int firstPartition(int replica, int partitions, int replicas) {
    return (int) ((long) replica * partitions / replicas);
  }

  /** The replica that trains partition p: the r with ⌊r·P/R⌋ ≤ p &lt; ⌊(r+1)·P/R⌋. */
  static int replicaOf(int p, int partitions, int replicas) {
    int r = (int) ((long) p * replicas / partitions);
    while (firstPartition(r + 1, partitions, replicas) <= p) {
      r++;
    }
    while (firstPartition(r, partitions, replicas) > p) {
      r--;
    }
    return r;
  }

  /**
   * The training data regrouped as one partition per replica (the input itself when R = P), the
   * replica's non-empty blocks in partition order. The result is not persisted: the caller
   * persists it and releases the input.
   *
   * @param shuffle regroup through a shuffle instead of a coalesce: a barrier stage may not read
   *     an RDD whose ancestors have another partition count (SPARK-24820), so allreduce needs the
   *     replicas' blocks to start a lineage of their own; the blocks are the same, in the same
   *     order, either way
   */
  public static JavaRDD<Block> group(JavaRDD<Block> data, int replicas, boolean shuffle) {
    int partitions = data.getNumPartitions();
    if (replicas == partitions) {
      return data;
    }
    if (shuffle) {
      // Each partition's blocks, keyed (partition, block) and ended by a marker, go to their
      // replica's task; it restores partition order holding one block at a time (ReplicaOrder).
      return data.mapPartitionsWithIndex(ReplicaOrder::keyed, true)
          .mapToPair(t -> t)
          .partitionBy(new ContiguousPartitioner(partitions, replicas))
          .mapPartitionsWithIndex((r, it) -> (Iterator<Block>) new ReplicaOrder(it,
              firstPartition(r, partitions, replicas), firstPartition(r + 1, partitions, replicas)),
              true)
          .setName("sparkprop replica blocks");
    }
    RDD<Block> grouped = data.rdd().coalesce(replicas, false,
        scala.Option.apply(new ContiguousCoalescer()), null);
    return grouped.toJavaRDD().filter(b -> b.rows() > 0).setName("sparkprop replica blocks");
  }

  /** Sends partition p's blocks to its replica. */
  static final class ContiguousPartitioner extends org.apache.spark.Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final int replicas;

    ContiguousPartitioner(int partitions, int replicas) {
      this.partitions = partitions;
      this.replicas = replicas;
    }

    @Override
    public int numPartitions() {
      return replicas;
    }

    /** Keys are {@link ReplicaOrder#key}(partition, block). */
    @Override
    public int getPartition(Object key) {
      return replicaOf(ReplicaOrder.partitionOf((Long) key), partitions, replicas);
    }
  }

  /** Groups contiguous partition ranges, in order: replica r gets ⌊r·P/R⌋ … ⌊(r+1)·P/R⌋ − 1. */
  static final class ContiguousCoalescer implements PartitionCoalescer, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
      Partition[] parts = parent.partitions();
      PartitionGroup[] groups = new PartitionGroup[maxPartitions];
      for (int r = 0; r < maxPartitions; r++) {
        groups[r] = new PartitionGroup(scala.Option.empty());
        int hi = firstPartition(r + 1, parts.length, maxPartitions);
        for (int p = firstPartition(r, parts.length, maxPartitions); p < hi; p++) {
          groups[r].partitions().addOne(parts[p]);
        }
      }
      return groups;
    }
  }
}
