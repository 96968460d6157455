package org.sparkprop.spark;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;
import org.sparkprop.data.FloatWire;

/**
 * What the driver broadcasts to the tasks for one job: the current weights, batch-norm state and
 * (local SGD) the averaged inner optimizer state. A fresh snapshot is broadcast for every job and
 * destroyed after it; tasks never modify it. Serialised through {@link Wire}: its arrays as bulk
 * bytes ({@link FloatWire}), by Java serialization under any {@code spark.serializer}.
 */
@com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
final class Snapshot implements Serializable {

  private static final long serialVersionUID = 1L;

  final float[] params;
  final float[] netState;
  /** Local SGD only: the inner optimizer's state arrays; null in synchronous mode. */
  final float[][] innerState;
  final String innerOptimizer;

  /** A task's own, writable copy of the inner optimizer state, checked against {@code optimizer}. */
  org.sparkprop.optim.OptimizerState optimizerStateCopy(org.sparkprop.optim.Optimizer optimizer,
                                                        int paramCount) {
    float[][] slots = new float[innerState.length][];
    for (int k = 0; k < slots.length; k++) {
      slots[k] = innerState[k].clone();
    }
    return org.sparkprop.optim.OptimizerState.of(optimizer, innerOptimizer, slots, paramCount);
  }

  Snapshot(float[] params, float[] netState, float[][] innerState, String innerOptimizer) {
    this.params = params;
    this.netState = netState;
    this.innerState = innerState;
    this.innerOptimizer = innerOptimizer;
  }

  private Object writeReplace() {
    return new Wire(this);
  }

  /** A stream that names Snapshot itself (not its {@link Wire}) was made by hand: refused, reads nothing. */
  private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
    throw new java.io.InvalidObjectException("a Snapshot is read only through its Wire form");
  }

  /** The serialised form of a {@link Snapshot}; read back as the Snapshot it holds. */
  static final class Wire implements Externalizable {
    private static final long serialVersionUID = 1L;
    private Snapshot snapshot;

    /** For deserialisation only. */
    public Wire() {}

    Wire(Snapshot snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
      FloatWire.write(out, snapshot.params);
      FloatWire.write(out, snapshot.netState);
      FloatWire.writeAll(out, snapshot.innerState);
      FloatWire.writeText(out, snapshot.innerOptimizer);
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
      snapshot = new Snapshot(FloatWire.read(in), FloatWire.read(in), FloatWire.readAll(in),
          FloatWire.readText(in));
    }

    private Object readResolve() {
      return snapshot;
    }
  }
}
