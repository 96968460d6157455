package org.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.optim.OptimizerState;

class CheckpointTest {

  @TempDir
  Path dir;

  static TrainConfig config(int epochs) {
    return TrainConfig.builder().network("2-16tanh-2").init("xavier").learningRate(0.01)
        .batchSize(32).epochs(epochs).validationFraction(0).build();
  }

  @Test
  void resumingContinuesExactlyAsIfNeverStopped() throws IOException {
    Block data = ToySets.twoMoons(400, 0.2, 3);
    Block val = ToySets.twoMoons(100, 0.2, 4);
    TrainingResult straight = new LocalTrainer(config(4)).fit(List.of(data), val, null);

    Checkpoints ck = new Checkpoints(new LocalFileStore(dir), 2);
    assertThrows(Crash.class, () -> new LocalTrainer(config(4)).checkpoints(ck, 1)
        .listener(crashAfter(2)).fit(List.of(data), val, null));
    assertEquals(2, ck.steps().size());
    TrainingResult resumed = new LocalTrainer(config(4)).checkpoints(ck, 1).resume(List.of(data), val);

    assertArrayEquals(straight.model().params(), resumed.model().params(),
        "weights, Adam state, step and shuffling all continue bit for bit");
    assertEquals(straight.history().size(), resumed.history().size());
    assertEquals(straight.history().get(3).validationLoss(), resumed.history().get(3).validationLoss());
    assertEquals(2, ck.steps().size(), "keepLast prunes older checkpoints");
  }

  /**
   * Issue 12: with scaling other than none every resume was refused, because checkpoints took the
   * fingerprint of the scaled data and resume that of the raw data.
   */
  @Test
  void aCheckpointFromBeforeMinStepsResumesAsMinStepsZero() throws IOException {
    Block data = ToySets.twoMoons(100, 0.2, 3);
    TrainConfig c = config(1);
    Checkpoints first = new Checkpoints(new LocalFileStore(dir.resolve("first")), 1);
    new LocalTrainer(c).checkpoints(first, 1).fit(List.of(data), null, null);
    TrainingState st = first.load(first.latest(), c.buildNetwork(), c.buildOptimizer(), null,
        c.toMap(), DataFingerprint.of(List.of(data)));
    java.util.Map<String, Object> older = new java.util.LinkedHashMap<>(c.toMap());
    older.remove("minSteps");                              // as checkpoints were written before it
    Checkpoints old = new Checkpoints(new LocalFileStore(dir.resolve("old")), 1);
    old.save(st, c.buildNetwork(), older, DataFingerprint.of(List.of(data)));
    assertEquals(st.step, old.load(old.latest(), c.buildNetwork(), c.buildOptimizer(), null,
        c.toMap(), DataFingerprint.of(List.of(data))).step, "minSteps 0 matches its absence");
    IOException e = assertThrows(IOException.class, () -> old.load(old.latest(), c.buildNetwork(),
        c.buildOptimizer(), null, c.toBuilder().minSteps(50).build().toMap(),
        DataFingerprint.of(List.of(data))));
    assertTrue(e.getMessage().contains("minSteps"), e.getMessage());
  }

  @Test
  void resumingWithFeatureScalingContinuesExactly() throws IOException {
    Block data = ToySets.twoMoons(400, 0.2, 3);
    TrainConfig c = config(3).toBuilder().scaling("standard").build();
    TrainingResult straight = new LocalTrainer(c).fit(List.of(data), null, null);
    Checkpoints ck = new Checkpoints(new LocalFileStore(dir.resolve("scaled")), 2);
    assertThrows(Crash.class, () -> new LocalTrainer(c).checkpoints(ck, 1)
        .listener(crashAfter(1)).fit(List.of(data), null, null));
    TrainingResult resumed = new LocalTrainer(c).checkpoints(ck, 1).resume(List.of(data), null);
    assertArrayEquals(straight.model().params(), resumed.model().params());
  }

  /**
   * Issue 12: after a power loss the newest checkpoint can be truncated or corrupt; resuming then
   * refused to go on. It now skips it, warns, and resumes from the newest intact one, ending with
   * the weights of an uninterrupted run. With none intact it says so.
   */
  @Test
  void resumingSkipsADamagedNewestCheckpoint() throws IOException {
    Block data = ToySets.twoMoons(400, 0.2, 3);
    TrainConfig c = config(4);
    TrainingResult straight = new LocalTrainer(c).fit(List.of(data), null, null);
    Path store = dir.resolve("damaged");
    Checkpoints ck = new Checkpoints(new LocalFileStore(store), 3);
    assertThrows(Crash.class, () -> new LocalTrainer(c).checkpoints(ck, 1)
        .listener(crashAfter(3)).fit(List.of(data), null, null));
    List<Long> steps = ck.steps();
    assertEquals(3, steps.size());
    Path newest = store.resolve(Checkpoints.name(steps.get(2)));
    byte[] bytes = java.nio.file.Files.readAllBytes(newest);
    java.nio.file.Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));   // torn
    Path middle = store.resolve(Checkpoints.name(steps.get(1)));
    byte[] flipped = java.nio.file.Files.readAllBytes(middle);
    flipped[flipped.length / 2] ^= 0x10;                                         // one bit rotted
    java.nio.file.Files.write(middle, flipped);
    TrainingResult resumed = new LocalTrainer(c).checkpoints(ck, 3).resume(List.of(data), null);
    assertArrayEquals(straight.model().params(), resumed.model().params(),
        "resumed from the oldest, intact checkpoint: the same weights");
    // Nothing intact: a clear error, no training from scratch.
    for (long step : ck.steps()) {                       // those the resumed run wrote too
      java.nio.file.Files.write(store.resolve(Checkpoints.name(step)), new byte[10]);
    }
    IOException e = assertThrows(IOException.class,
        () -> new LocalTrainer(c).checkpoints(ck, 3).resume(List.of(data), null));
    assertTrue(e.getMessage().contains("no intact checkpoint"), e.getMessage());
  }

  /** A simulated crash of the training process. */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** Stops training after {@code epoch}'s checkpoint was written. */
  static TrainingListener crashAfter(int epoch) {
    return new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        if (m.epoch() == epoch) {
          throw new Crash();
        }
      }
    };
  }

  @Test
  void aDirectoryWithCheckpointsIsNotOverwrittenUnlessAsked() throws IOException {
    Block data = ToySets.twoMoons(100, 0.2, 3);
    Checkpoints ck = new Checkpoints(new LocalFileStore(dir), 3);
    new LocalTrainer(config(1)).checkpoints(ck, 1).fit(List.of(data), null, null);
    Exception e = assertThrows(Exception.class,
        () -> new LocalTrainer(config(1)).checkpoints(ck, 1).fit(List.of(data), null, null));
    assertTrue(e.getMessage().contains("already holds 1 checkpoint"), e.getMessage());
    ck.prepareFresh(true);
    assertTrue(ck.steps().isEmpty());
  }

  @Test
  void resumingADifferentRunIsRefusedWithTheDifferences() throws IOException {
    Block data = ToySets.twoMoons(100, 0.2, 3);
    Checkpoints ck = new Checkpoints(new LocalFileStore(dir), 3);
    new LocalTrainer(config(1)).checkpoints(ck, 1).fit(List.of(data), null, null);
    TrainConfig other = config(1).toBuilder().learningRate(0.1).seed(9).build();
    IOException e = assertThrows(IOException.class,
        () -> new LocalTrainer(other).checkpoints(ck, 1).resume(List.of(data), null));
    assertTrue(e.getMessage().contains("learningRate") && e.getMessage().contains("seed"), e.getMessage());
    IOException d = assertThrows(IOException.class, () -> new LocalTrainer(config(1)).checkpoints(ck, 1)
        .resume(List.of(ToySets.twoMoons(120, 0.2, 3)), null));
    assertTrue(d.getMessage().contains("data:"), d.getMessage());
  }

  @Test
  void corruptOrTruncatedFilesGetAClearErrorNeverASilentLoad() throws IOException {
    LocalFileStore store = new LocalFileStore(dir);
    ObjectNode h = ArrayFile.json().createObjectNode().put("kind", "test");
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("a", new float[] {1, 2, 3});
    arrays.put("b", new float[] {Float.MIN_VALUE, -0f});
    ArrayFile.writeAtomically(store, "x.bin", h, arrays);
    ArrayFile.Content c = ArrayFile.read(store, "x.bin");
    assertArrayEquals(new float[] {1, 2, 3}, c.arrays().get("a"));
    assertArrayEquals(new float[] {Float.MIN_VALUE, -0f}, c.arrays().get("b"));
    assertEquals("test", c.header().get("kind").asText());

    byte[] bytes = Files.readAllBytes(dir.resolve("x.bin"));
    for (int cut : new int[] {0, 10, bytes.length / 2, bytes.length - 1}) {
      Files.write(dir.resolve("t.bin"), java.util.Arrays.copyOf(bytes, cut));
      IOException e = assertThrows(IOException.class, () -> ArrayFile.read(store, "t.bin"));
      assertTrue(e.getMessage().contains("t.bin"), e.getMessage());
    }
    byte[] flipped = bytes.clone();
    flipped[bytes.length - 12] ^= 0x10;
    Files.write(dir.resolve("f.bin"), flipped);
    IOException e = assertThrows(IOException.class, () -> ArrayFile.read(store, "f.bin"));
    assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());
    Files.writeString(dir.resolve("j.bin"), "not a sparkprop file, but long enough to be read");
    e = assertThrows(IOException.class, () -> ArrayFile.read(store, "j.bin"));
    assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    // A well-formed, checksummed file whose header announces absurd or repeated arrays.
    for (String table : new String[] {"[{\"name\":\"a\",\"length\":4611686018427387903}]",
        "[{\"name\":\"a\",\"length\":0},{\"name\":\"a\",\"length\":0}]",
        "[{\"length\":0}]"}) {
      Files.write(dir.resolve("h.bin"), forged("{\"arrays\":" + table + "}"));
      e = assertThrows(IOException.class, () -> ArrayFile.read(store, "h.bin"), table);
      assertTrue(e.getMessage().contains("h.bin"), e.getMessage());
    }
    assertTrue(store.list().stream().noneMatch(n -> n.contains("tmp")), "no temporary files left");
  }

  /** Magic, version, the given header and a valid CRC: what a hostile writer could produce. */
  static byte[] forged(String header) {
    byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 8 + h.length + 8);
    b.put("SPARKPRP".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(1).putInt(h.length).put(h);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(b.array(), 0, b.position());
    b.putLong(crc.getValue());
    return b.array();
  }

  @Test
  void optimizerStateRoundTripsExactly() throws IOException {
    Block data = ToySets.twoMoons(100, 0.2, 3);
    Checkpoints ck = new Checkpoints(new LocalFileStore(dir), 1);
    TrainConfig c = config(1);
    new LocalTrainer(c).checkpoints(ck, 1).fit(List.of(data), null, null);
    TrainingState st = ck.load(ck.latest(), c.buildNetwork(), c.buildOptimizer(), null, c.toMap(),
        DataFingerprint.of(List.of(data)));
    Checkpoints again = new Checkpoints(new LocalFileStore(dir.resolve("again")), 1);
    again.save(st, c.buildNetwork(), c.toMap(), DataFingerprint.of(List.of(data)));
    TrainingState back = again.load(again.latest(), c.buildNetwork(), c.buildOptimizer(), null,
        c.toMap(), DataFingerprint.of(List.of(data)));
    OptimizerState a = st.optimizer;
    OptimizerState b = back.optimizer;
    assertEquals(a.names(), b.names());
    for (int k = 0; k < a.slotCount(); k++) {
      assertArrayEquals(a.slot(k), b.slot(k));
    }
    assertArrayEquals(st.params, back.params);
    assertArrayEquals(st.netState, back.netState);
    assertEquals(st.step, back.step);
    assertEquals(st.history, back.history);
    st.lrScale = 0.25;
    st.skippedSteps = 3;
    st.bestParams = st.params.clone();
    st.bestNetState = st.netState.clone();
    st.bestEpoch = 1;
    st.bestValue = 0.5;
    st.epochsWithoutImprovement = 2;
    st.stopped = true;
    Checkpoints third = new Checkpoints(new LocalFileStore(dir.resolve("third")), 1);
    third.save(st, c.buildNetwork(), c.toMap(), DataFingerprint.of(List.of(data)),
        Map.of("localSteps", 7));
    TrainingState all = third.load(third.latest(), c.buildNetwork(), c.buildOptimizer(), null,
        c.toMap(), DataFingerprint.of(List.of(data)));
    assertEquals(0.25, all.lrScale);
    assertEquals(3, all.skippedSteps);
    assertArrayEquals(st.bestParams, all.bestParams);
    assertEquals(1, all.bestEpoch);
    assertEquals(0.5, all.bestValue);
    assertEquals(2, all.epochsWithoutImprovement);
    assertTrue(all.stopped);
    assertEquals(7, ((Number) all.extras.get("localSteps")).intValue());
  }

  @Test
  void namesCannotEscapeTheStore() {
    LocalFileStore store = new LocalFileStore(dir);
    assertThrows(IllegalArgumentException.class, () -> store.create("../evil"));
    assertThrows(IllegalArgumentException.class, () -> store.open("/etc/passwd"));
  }
}
