package org.sparkprop.spark;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import org.sparkprop.data.FloatWire;
import org.sparkprop.train.BatchSums;

/**
 * What tasks send back, summed over partitions by treeAggregate (or in partition order). Arrays are
 * allocated lazily, so the zero value is small.
 *
 * <pre>
 *   synchronous   vector = Σ_rows w·∂L/∂θ                 (the driver divides by Σw once)
 *   local SGD     vector = Σ_p share_p · θ_p after H steps  (share_p = rows_p / rows of the round)
 *                 inner  = Σ_p share_p · inner optimizer state_p
 *   both          state  = Σ_p share_p · batch-norm state_p;  sums = Σ loss, Σ w, rows, correct
 *   allreduce     rank 0: vector = weights, inner = optimizer state, state = batch-norm state,
 *                 sums = the stage's; every rank: its timing (not merged: collected per rank)
 * </pre>
 * Java serialization writes it (its arrays as bulk bytes) under any {@code spark.serializer}: Kryo
 * would write the floats one by one.
 */
@com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
final class Partial implements Externalizable {

  private static final long serialVersionUID = 2L;

  // Every field travels through writeExternal below: the arrays as bulk bytes (FloatWire).
  float[] vector;
  float[] state;
  float[][] inner;
  final BatchSums sums = new BatchSums();
  /** Seconds the tasks spent computing (forward, backward, local updates): sum and slowest. */
  double computeSeconds;
  double maxComputeSeconds;
  int tasks;
  /** Tasks that had rows to work on. */
  int busyTasks;
  /** allreduce: seconds in the collective's calls, in the rendezvous, and payload bytes sent. */
  double syncSeconds;
  double rendezvousSeconds;
  long bytesSent;
  /** allreduce: this rank's links to its neighbours that went through shared memory. */
  int sharedLinks;
  /** allreduce: the task's rank (-1 elsewhere). */
  int rank = -1;
  /** allreduce: the learning-rate multiplier and the skipped steps at the stage's end. */
  double lrScale = 1;
  long skippedSteps;
  /** The first global step at which a task met a non-finite loss or gradient; 0 when none. */
  long divergedAt;
  String divergence;

  /** The empty partial (the zero of merge); also what deserialisation starts from. */
  public Partial() {}

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    FloatWire.write(out, vector);
    FloatWire.write(out, state);
    FloatWire.writeAll(out, inner);
    out.writeDouble(sums.lossSum);
    out.writeDouble(sums.weightSum);
    out.writeLong(sums.rows);
    out.writeDouble(sums.correctWeight);
    out.writeDouble(computeSeconds);
    out.writeDouble(maxComputeSeconds);
    out.writeInt(tasks);
    out.writeInt(busyTasks);
    out.writeDouble(syncSeconds);
    out.writeDouble(rendezvousSeconds);
    out.writeLong(bytesSent);
    out.writeInt(sharedLinks);
    out.writeInt(rank);
    out.writeDouble(lrScale);
    out.writeLong(skippedSteps);
    out.writeLong(divergedAt);
    FloatWire.writeText(out, divergence);
  }

  @Override
  public void readExternal(ObjectInput in) throws IOException {
    vector = FloatWire.read(in);
    state = FloatWire.read(in);
    inner = FloatWire.readAll(in);
    sums.lossSum = in.readDouble();
    sums.weightSum = in.readDouble();
    sums.rows = in.readLong();
    sums.correctWeight = in.readDouble();
    computeSeconds = in.readDouble();
    maxComputeSeconds = in.readDouble();
    tasks = in.readInt();
    busyTasks = in.readInt();
    syncSeconds = in.readDouble();
    rendezvousSeconds = in.readDouble();
    bytesSent = in.readLong();
    sharedLinks = in.readInt();
    rank = in.readInt();
    lrScale = in.readDouble();
    skippedSteps = in.readLong();
    divergedAt = in.readLong();
    divergence = FloatWire.readText(in);
  }

  Partial merge(Partial o) {
    vector = add(vector, o.vector);
    state = add(state, o.state);
    if (o.inner != null) {
      if (inner == null) {
        inner = o.inner;
      } else {
        for (int k = 0; k < inner.length; k++) {
          inner[k] = add(inner[k], o.inner[k]);
        }
      }
    }
    sums.add(o.sums);
    computeSeconds += o.computeSeconds;
    maxComputeSeconds = Math.max(maxComputeSeconds, o.maxComputeSeconds);
    tasks += o.tasks;
    busyTasks += o.busyTasks;
    if (o.divergedAt > 0 && (divergedAt == 0 || o.divergedAt < divergedAt)) {
      divergedAt = o.divergedAt;
      divergence = o.divergence;
    }
    return this;
  }

  private static float[] add(float[] a, float[] b) {
    if (b == null) {
      return a;
    }
    if (a == null) {
      return b;
    }
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }
}
