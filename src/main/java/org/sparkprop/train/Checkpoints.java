package org.sparkprop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;

/**
 * Periodic checkpoints of a {@link TrainingState} in a {@link FileStore}: {@code ckpt-<step>.bin},
 * each written atomically (temporary file, synced to the disk, then renamed), so a crash while
 * writing leaves the previous latest checkpoint intact, and resuming skips a newest checkpoint that
 * a power loss left damaged ({@link #loadNewestIntact}). The newest {@code keepLast} are kept.
 *
 * <p>A checkpoint holds the weights, batch-norm state, optimizer state (and the outer optimizer's in
 * local SGD), the step, learning-rate scale, early-stopping state with the best weights, the metrics
 * history, the run's config and a data fingerprint. Resuming checks that the run is the same one:
 * a different network, optimizer, seed, batch size or data is refused with the differences listed.
 */
public final class Checkpoints {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Checkpoints.class);

  static final String PREFIX = "ckpt-";
  static final String SUFFIX = ".bin";
  /** Config keys newer than some checkpoints, with the value a checkpoint without them had. */
  private static final Map<String, JsonNode> ADDED_LATER = Map.of("minSteps",
      com.fasterxml.jackson.databind.node.IntNode.valueOf(0));

  /**
   * Config keys that may differ between a run and its resumption. Everything else must match, since
   * it shapes the computation: even the number of epochs (schedules span the whole run) and the
   * thread count or micro-batch size (they split dropout masks and batch-norm statistics).
   */
  static final Set<String> MAY_CHANGE = Set.of("onDivergence");

  private final FileStore store;
  private final int keepLast;

  public Checkpoints(FileStore store, int keepLast) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    }
    this.store = store;
    this.keepLast = keepLast;
  }

  public FileStore store() {
    return store;
  }

  /** Steps of the checkpoints present, oldest first. */
  public List<Long> steps() throws IOException {
    List<Long> steps = new ArrayList<>();
    for (String name : store.list()) {
      if (name.startsWith(PREFIX) && name.endsWith(SUFFIX)) {
        try {
          steps.add(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())));
        } catch (NumberFormatException ignored) {
          // not one of ours
        }
      }
    }
    steps.sort(null);
    return steps;
  }

  /** The newest checkpoint's file name, or null. */
  public String latest() throws IOException {
    List<Long> s = steps();
    return s.isEmpty() ? null : name(s.get(s.size() - 1));
  }

  static String name(long step) {
    return PREFIX + String.format("%012d", step) + SUFFIX;
  }

  /**
   * Before a fresh (not resumed) run: refuses a directory that already holds checkpoints, unless
   * {@code overwrite}, in which case they are deleted.
   */
  public void prepareFresh(boolean overwrite) throws IOException {
    List<Long> s = steps();
    if (s.isEmpty()) {
      return;
    }
    if (!overwrite) {
      throw new IOException("checkpoint directory " + store.location() + " already holds "
          + s.size() + " checkpoint(s) (latest step " + s.get(s.size() - 1) + "). Resume from it, "
          + "choose another directory, or allow overwriting (--overwrite / overwrite=true).");
    }
    for (long step : s) {
      store.delete(name(step));
    }
  }

  /** Writes a checkpoint of {@code st} and prunes old ones. */
  public void save(TrainingState st, Network net, Map<String, Object> config,
                   Map<String, Object> dataFingerprint) throws IOException {
    save(st, net, config, dataFingerprint, Map.of());
  }

  /** As above, with trainer-specific values (e.g. the local-SGD period chosen) kept in the header. */
  public void save(TrainingState st, Network net, Map<String, Object> config,
                   Map<String, Object> dataFingerprint, Map<String, Object> extras) throws IOException {
    ObjectNode h = ArrayFile.json().createObjectNode();
    h.put("kind", "checkpoint");
    h.put("step", st.step);
    h.put("rounds", st.rounds);
    h.put("network", net.spec().toString());
    h.put("loss", net.loss().name());
    h.put("optimizer", st.optimizer.optimizer());
    if (st.outer != null) {
      h.put("outerOptimizer", st.outer.optimizer());
    }
    h.put("lrScale", st.lrScale);
    h.put("skippedSteps", st.skippedSteps);
    h.put("bestValue", st.bestValue);
    h.put("bestEpoch", st.bestEpoch);
    h.put("epochsWithoutImprovement", st.epochsWithoutImprovement);
    h.put("stopped", st.stopped);
    h.set("config", ArrayFile.json().valueToTree(config));
    h.set("data", ArrayFile.json().valueToTree(dataFingerprint));
    h.set("extras", ArrayFile.json().valueToTree(extras));
    ArrayNode hist = h.putArray("history");
    for (EpochMetrics m : st.history) {
      hist.add(ArrayFile.json().valueToTree(m));
    }
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("params", st.params);
    arrays.put("netState", st.netState);
    putState(arrays, "opt.", st.optimizer);
    if (st.outer != null) {
      putState(arrays, "outer.", st.outer);
    }
    if (st.bestParams != null) {
      arrays.put("best.params", st.bestParams);
      arrays.put("best.netState", st.bestNetState);
    }
    ArrayFile.writeAtomically(store, name(st.step), h, arrays);
    List<Long> all = steps();
    for (int i = 0; i < all.size() - keepLast; i++) {
      store.delete(name(all.get(i)));
    }
  }

  private static void putState(Map<String, float[]> arrays, String prefix, OptimizerState s) {
    for (int i = 0; i < s.slotCount(); i++) {
      arrays.put(prefix + s.names().get(i), s.slot(i));
    }
  }

  /**
   * Loads checkpoint {@code name} for a run with this network, optimizers, config and data;
   * any mismatch is a clear error.
   */
  public TrainingState load(String name, Network net, Optimizer optimizer, Optimizer outer,
                            Map<String, Object> config, Map<String, Object> dataFingerprint)
      throws IOException {
    ArrayFile.Content c;
    try {
      c = ArrayFile.read(store, name);
    } catch (IOException e) {
      throw new Damaged(e.getMessage(), e);
    }
    String where = store.describe(name);
    ObjectNode h = c.header();
    if (!"checkpoint".equals(h.path("kind").asText())) {
      throw new IOException(where + " is not a checkpoint (kind '" + h.path("kind").asText() + "')");
    }
    List<String> diffs = new ArrayList<>();
    JsonNode saved = h.path("config");
    JsonNode now = normalised(config);
    for (Map.Entry<String, JsonNode> e : now.properties()) {
      JsonNode was = saved.has(e.getKey()) || !ADDED_LATER.containsKey(e.getKey())
          ? saved.path(e.getKey()) : ADDED_LATER.get(e.getKey());
      if (!MAY_CHANGE.contains(e.getKey()) && !e.getValue().equals(was)) {
        diffs.add(e.getKey() + ": checkpoint " + saved.path(e.getKey()) + ", this run " + e.getValue());
      }
    }
    JsonNode data = normalised(dataFingerprint);
    if (!data.equals(h.path("data"))) {
      diffs.add("data: checkpoint " + h.path("data") + ", this run " + data);
    }
    if (!diffs.isEmpty()) {
      throw new IOException(where + " belongs to a different run; cannot resume:\n  "
          + String.join("\n  ", diffs));
    }
    float[] params = c.array("params", where);
    float[] netState = c.array("netState", where);
    if (params.length != net.paramCount() || netState.length != net.stateCount()) {
      throw new IOException(where + ": weights do not fit network " + net.spec());
    }
    TrainingState st = new TrainingState(params, netState,
        loadState(c, "opt.", optimizer, h.path("optimizer").asText(), net.paramCount(), where));
    if (outer != null) {
      st.outer = loadState(c, "outer.", outer, h.path("outerOptimizer").asText(), net.paramCount(),
          where);
    }
    st.step = h.path("step").asLong();
    st.rounds = h.path("rounds").asLong();
    st.lrScale = h.path("lrScale").asDouble(1);
    st.skippedSteps = h.path("skippedSteps").asLong();
    st.bestValue = h.path("bestValue").asDouble(Double.POSITIVE_INFINITY);
    st.bestEpoch = h.path("bestEpoch").asInt();
    st.epochsWithoutImprovement = h.path("epochsWithoutImprovement").asInt();
    st.stopped = h.path("stopped").asBoolean();
    if (c.arrays().containsKey("best.params")) {
      st.bestParams = c.array("best.params", where);
      st.bestNetState = c.array("best.netState", where);
    }
    Map<String, Object> extras = ArrayFile.json().convertValue(h.path("extras"),
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
    if (extras != null) {
      st.extras.putAll(extras);
    }
    for (JsonNode m : h.path("history")) {
      st.history.add(ArrayFile.json().treeToValue(m, EpochMetrics.class));
    }
    return st;
  }

  /** A checkpoint file that cannot be read back: truncated, corrupted (its CRC fails) or missing. */
  public static final class Damaged extends IOException {
    private static final long serialVersionUID = 1L;

    Damaged(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Loads the newest checkpoint that reads back intact, warning about each newer damaged one it
   * skips (a crash or power loss can leave the newest truncated). A checkpoint of another run is
   * not skipped: that is an error, as in {@link #load}.
   *
   * @throws IOException when there is none, or none is intact
   */
  public TrainingState loadNewestIntact(Network net, Optimizer optimizer, Optimizer outer,
                                        Map<String, Object> config,
                                        Map<String, Object> dataFingerprint) throws IOException {
    List<Long> s = steps();
    if (s.isEmpty()) {
      throw new IOException("no checkpoint to resume from in " + store.location());
    }
    Damaged last = null;
    for (int i = s.size() - 1; i >= 0; i--) {
      String name = name(s.get(i));
      try {
        TrainingState st = load(name, net, optimizer, outer, config, dataFingerprint);
        if (last != null) {
          LOG.warn("resuming from the older intact checkpoint {} instead", store.describe(name));
        }
        return st;
      } catch (Damaged e) {
        LOG.warn("skipping damaged checkpoint {}: {}", store.describe(name), e.getMessage());
        last = e;
      }
    }
    throw new IOException("no intact checkpoint in " + store.location() + " (the newest: "
        + last.getMessage() + ")", last);
  }

  /** As it reads back from a file: number node types depend on the text, not the Java type. */
  private static JsonNode normalised(Object value) throws IOException {
    return ArrayFile.json().readTree(ArrayFile.json().writeValueAsString(value));
  }

  private static OptimizerState loadState(ArrayFile.Content c, String prefix, Optimizer opt,
                                          String savedName, int n, String where) throws IOException {
    float[][] slots = new float[opt.stateNames().size()][];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = c.array(prefix + opt.stateNames().get(i), where);
    }
    try {
      return OptimizerState.of(opt, savedName, slots, n);
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }
}
