package org.sparkprop.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.ToySets;
import org.sparkprop.nn.Network;
import org.sparkprop.train.Checkpoints;
import org.sparkprop.train.FileStore;
import org.sparkprop.train.LocalFileStore;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.Model;
import org.sparkprop.train.ModelIO;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingState;

/**
 * Files are data, never code; damaged files are refused; crashes while writing leave the previous
 * checkpoint intact; nothing is overwritten unless asked.
 */
class SafetyTest {

  @TempDir
  Path dir;

  static Model smallModel() {
    return new LocalTrainer(TrainConfig.builder().network("2-8tanh-2").epochs(1).build())
        .fit(ToySets.twoMoons(100, 0.1, 1), null).model();
  }

  @Test
  void noJavaDeserializationAnywhereInTheProduct() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (readsJavaSerialization(Files.readString(f))) {
          offenders.add(f.toString());
        }
      }
    }
    assertTrue(offenders.isEmpty(), "Java deserialization in " + offenders);
  }

  /**
   * A serialization proxy's guard: a readObject whose whole body throws InvalidObjectException.
   * It refuses a hand-made stream and reads nothing, so the lint below lets it through.
   */
  private static final java.util.regex.Pattern PROXY_GUARD = java.util.regex.Pattern.compile(
      "private void readObject\\((?:java\\.io\\.)?ObjectInputStream \\w+\\)\\s*"
          + "throws (?:java\\.io\\.)?InvalidObjectException\\s*\\{\\s*"
          + "throw new (?:java\\.io\\.)?InvalidObjectException\\(\"[^\"]*\"\\);\\s*\\}");

  /** True when source text opens an ObjectInputStream or reads from one (proxy guards aside). */
  static boolean readsJavaSerialization(String source) {
    String rest = PROXY_GUARD.matcher(source).replaceAll("");
    return rest.contains("ObjectInputStream") || rest.contains("readObject(");
  }

  @Test
  void theLintLetsOnlyThrowingProxyGuardsThrough() {
    String guard = "private void readObject(java.io.ObjectInputStream in) throws "
        + "java.io.InvalidObjectException {\n    throw new java.io.InvalidObjectException(\"no\");\n  }";
    assertFalse(readsJavaSerialization("class A { " + guard + " }"));
    assertTrue(readsJavaSerialization("class A { private void readObject(java.io.ObjectInputStream "
        + "in) throws java.io.IOException { in.defaultReadObject(); } }"));
    assertTrue(readsJavaSerialization("class A { " + guard + " Object f(java.io.InputStream s) "
        + "throws Exception { return new java.io.ObjectInputStream(s).readObject(); } }"));
    assertTrue(readsJavaSerialization("Object o = in.readObject();"));
  }

  @Test
  void aJavaSerializedPayloadIsRefusedAsAModelOrCheckpoint() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new java.util.HashMap<>(java.util.Map.of("gadget", new int[64])));
    }
    LocalFileStore store = new LocalFileStore(dir);
    ModelIO.save(smallModel(), store, false);
    Files.write(dir.resolve(ModelIO.weightsFile(store)), bytes.toByteArray());
    IOException e = assertThrows(IOException.class, () -> ModelIO.load(store));
    assertTrue(e.getMessage().contains("not a Sparkprop weights or checkpoint file"), e.getMessage());
  }

  @Test
  void metadataCannotSmuggleCodeOrWrongShapes() throws IOException {
    LocalFileStore store = new LocalFileStore(dir);
    ModelIO.save(smallModel(), store, false);
    Path meta = dir.resolve(ModelIO.METADATA);
    String original = Files.readString(meta);
    Files.writeString(meta, original.replace("2-8tanh-2", "java.lang.Runtime"));
    IOException e = assertThrows(IOException.class, () -> ModelIO.load(store));
    assertTrue(e.getMessage().contains("bad network in metadata"), e.getMessage());
    Files.writeString(meta, original.replace("2-8tanh-2", "2-9tanh-2"));
    e = assertThrows(IOException.class, () -> ModelIO.load(store));
    assertTrue(e.getMessage().contains("does not fit network"), e.getMessage());
    Files.writeString(meta, original.replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));
    e = assertThrows(IOException.class, () -> ModelIO.load(store));
    assertTrue(e.getMessage().contains("format version 7"), e.getMessage());
    Files.writeString(meta, "{ not json");
    e = assertThrows(IOException.class, () -> ModelIO.load(store));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
  }

  @Test
  void aTruncatedModelIsRefusedAndNothingIsOverwrittenUnlessAsked() throws IOException {
    LocalFileStore store = new LocalFileStore(dir);
    Model m = smallModel();
    ModelIO.save(m, store, false);
    IOException again = assertThrows(IOException.class, () -> ModelIO.save(m, store, false));
    assertTrue(again.getMessage().contains("already exists"), again.getMessage());
    ModelIO.save(m, store, true);
    assertArrayEquals(m.params(), ModelIO.load(store).params());
    String weights = ModelIO.weightsFile(store);
    byte[] w = Files.readAllBytes(dir.resolve(weights));
    Files.write(dir.resolve(weights), java.util.Arrays.copyOf(w, w.length - 20));
    IOException e = assertThrows(IOException.class, () -> ModelIO.load(store));
    assertTrue(e.getMessage().contains(weights), e.getMessage());
  }

  /** A store whose writes die after {@code limit} bytes, like a process killed mid-write. */
  static final class CrashingStore implements FileStore {
    final LocalFileStore inner;
    final long limit;

    CrashingStore(LocalFileStore inner, long limit) {
      this.inner = inner;
      this.limit = limit;
    }

    @Override
    public OutputStream create(String name) throws IOException {
      OutputStream out = inner.create(name);
      return new OutputStream() {
        long written;

        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          if (written + len > limit) {
            out.write(b, off, (int) (limit - written));
            out.flush();
            throw new IOException("simulated crash after " + limit + " bytes");
          }
          out.write(b, off, len);
          written += len;
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override public java.io.InputStream open(String name) throws IOException { return inner.open(name); }
    @Override public boolean exists(String name) { return inner.exists(name); }
    @Override public long length(String name) throws IOException { return inner.length(name); }
    @Override public void rename(String from, String to) throws IOException { inner.rename(from, to); }
    @Override public void delete(String name) throws IOException { inner.delete(name); }
    @Override public List<String> list() throws IOException { return inner.list(); }
    @Override public String describe(String name) { return inner.describe(name); }
    @Override public String location() { return inner.location(); }
  }

  @Test
  void aCrashWhileWritingACheckpointLeavesTheLatestOneIntact() throws IOException {
    TrainConfig cfg = TrainConfig.builder().network("2-8tanh-2").epochs(1).build();
    Network net = cfg.buildNetwork();
    LocalFileStore store = new LocalFileStore(dir);
    TrainingState good = new TrainingState(net.initParams(cfg.buildInit(), 1), net.initState(),
        cfg.buildOptimizer().init(net.paramCount()));
    good.step = 10;
    java.util.Map<String, Object> data = java.util.Map.of("rows", 1);
    new Checkpoints(store, 3).save(good, net, cfg.toMap(), data);
    TrainingState next = new TrainingState(good.params.clone(), good.netState, good.optimizer);
    next.step = 20;
    next.params[0] = 42f;
    Checkpoints crashing = new Checkpoints(new CrashingStore(store, 100), 3);
    assertThrows(IOException.class, () -> crashing.save(next, net, cfg.toMap(), data));
    Checkpoints ck = new Checkpoints(store, 3);
    assertEquals(List.of(10L), ck.steps(), "the half-written checkpoint never got a real name");
    TrainingState loaded = ck.load(ck.latest(), net, cfg.buildOptimizer(), null, cfg.toMap(), data);
    assertEquals(10, loaded.step);
    assertArrayEquals(good.params, loaded.params);
  }

  @Test
  void aStoreCannotBeLedOutOfItsDirectory() {
    LocalFileStore store = new LocalFileStore(dir.resolve("inside"));
    for (String evil : List.of("../x", "a/b", "..", "/etc/passwd", "a\\b")) {
      assertThrows(IllegalArgumentException.class, () -> store.create(evil), evil);
    }
  }

  /**
   * Issue 12: a model was saved as two renames (weights, then metadata), so a crash between them
   * paired the old metadata (classes, scaling) with the new weights, silently. Now the metadata
   * names its own weights file and is the single commit: interrupted right before it, a save leaves
   * the old model whole; after it, the new one; older weights files are then removed.
   */
  @Test
  void aSaveInterruptedBeforeItsCommitLeavesTheOldModelWhole() throws IOException {
    LocalFileStore store = new LocalFileStore(dir);
    Model old = smallModel();
    ModelIO.save(old, store, false);
    String oldWeights = ModelIO.weightsFile(store);
    // The new save's weights were written, its metadata not yet renamed into place.
    float[] changed = old.params().clone();
    changed[0] += 1f;
    Model fresh = new Model(old.network(), changed, old.netState(), old.scaler(),
        List.of("yes", "no"), old.provenance());
    LocalFileStore side = new LocalFileStore(dir.resolve("side"));
    ModelIO.save(fresh, side, false);
    Files.copy(dir.resolve("side").resolve(ModelIO.weightsFile(side)),
        dir.resolve(ModelIO.weightsFile(side)));
    Model read = ModelIO.load(store);
    assertArrayEquals(old.params(), read.params());
    assertEquals(old.classNames(), read.classNames());
    ModelIO.save(fresh, store, true);                         // a whole save
    Model now = ModelIO.load(store);
    assertArrayEquals(fresh.params(), now.params());
    assertEquals(List.of("yes", "no"), now.classNames());
    assertFalse(Files.exists(dir.resolve(oldWeights)), "older weights removed after the commit");
  }
}
