package org.sparkprop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Losses;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.NetworkSpec;

/**
 * The saved form of a {@link Model}, shared by the command line and the Spark ML persistence:
 * a directory with
 * <pre>
 *   metadata.json       {"format": "sparkprop-model", "formatVersion": 1, "network", "loss",
 *                        "numFeatures", "numClasses", "classNames", "scaling", "paramCount",
 *                        "stateCount", "weightsFile", "provenance": {config, seed, versions, data
 *                        source, metrics}}
 *   weights-<id>.bin    an {@link ArrayFile}: params, netState, scaler.shift, scaler.scale (float32)
 * </pre>
 * A save writes a new weights file under a name of its own, then the metadata naming it (one
 * atomic rename: the commit), then deletes the older weights files. A reader follows the metadata,
 * so it sees the old model or the new one, never old metadata (classes, scaling) with new weights,
 * whenever a save is interrupted. Models saved before this named their weights {@code weights.bin}
 * (no "weightsFile") and load as before.
 * Loading never executes anything from the files (JSON and raw floats only), checks the format
 * name and version, rebuilds the network from its spec and checks every array length against it.
 */
public final class ModelIO {

  public static final String FORMAT = "sparkprop-model";
  public static final int FORMAT_VERSION = 1;
  public static final String METADATA = "metadata.json";
  public static final String WEIGHTS = "weights.bin";

  private ModelIO() {}

  /** Writes the model into {@code store}; refuses to replace an existing model unless asked. */
  public static void save(Model model, FileStore store, boolean overwrite) throws IOException {
    if (!overwrite && (store.exists(METADATA) || store.exists(WEIGHTS))) {
      throw new IOException("a model already exists at " + store.location()
          + "; choose another path or allow overwriting (--overwrite / overwrite())");
    }
    Network net = model.network();
    ObjectNode meta = ArrayFile.json().createObjectNode();
    meta.put("format", FORMAT);
    meta.put("formatVersion", FORMAT_VERSION);
    meta.put("network", net.spec().toString());
    meta.put("loss", net.loss().name());
    meta.put("numFeatures", net.inputSize());
    meta.put("numClasses", net.numClasses());
    meta.set("classNames", model.classNames() == null ? null
        : ArrayFile.json().valueToTree(model.classNames()));
    meta.put("scaling", model.scaler().kind().name().toLowerCase(java.util.Locale.ROOT));
    meta.put("paramCount", net.paramCount());
    meta.put("stateCount", net.stateCount());
    meta.set("provenance", ArrayFile.json().valueToTree(model.provenance()));
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("params", model.params());
    arrays.put("netState", model.netState());
    arrays.put("scaler.shift", model.scaler().shift());
    arrays.put("scaler.scale", model.scaler().scale());
    ObjectNode header = ArrayFile.json().createObjectNode().put("kind", "model-weights");
    String weights = "weights-" + java.util.HexFormat.of().formatHex(randomId()) + ".bin";
    meta.put("weightsFile", weights);
    ArrayFile.writeAtomically(store, weights, header, arrays);
    String tmp = "." + METADATA + ".tmp";
    try (OutputStream out = store.create(tmp)) {
      out.write(ArrayFile.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    }
    store.rename(tmp, METADATA);                            // the commit: readers now see the new model
    for (String name : store.list()) {
      if (!name.equals(weights) && (name.equals(WEIGHTS)
          || name.startsWith("weights-") && name.endsWith(".bin"))) {
        store.delete(name);
      }
    }
  }

  private static byte[] randomId() {
    byte[] id = new byte[8];
    new java.security.SecureRandom().nextBytes(id);
    return id;
  }

  /** The weights file the model in {@code store} uses, as its metadata names it. */
  public static String weightsFile(FileStore store) throws IOException {
    try (InputStream in = store.open(METADATA)) {
      return weightsFileOf(ArrayFile.json().readTree(in));
    }
  }

  private static String weightsFileOf(JsonNode meta) throws IOException {
    String name = meta.path("weightsFile").asText(WEIGHTS);
    try {
      return FileStore.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new IOException("the model's metadata names weights file '" + name + "': " + e.getMessage());
    }
  }

  /** Loads a model saved by {@link #save}; any mismatch or damage is a clear error. */
  public static Model load(FileStore store) throws IOException {
    String where = store.location();
    if (!store.exists(METADATA)) {
      throw new IOException("no Sparkprop model at " + where + " (missing " + METADATA + ")");
    }
    JsonNode meta;
    try (InputStream in = store.open(METADATA)) {
      meta = ArrayFile.json().readTree(in);
    } catch (IOException e) {
      throw new IOException(store.describe(METADATA) + " is not valid JSON: " + e.getMessage(), e);
    }
    if (meta == null || !FORMAT.equals(meta.path("format").asText())) {
      throw new IOException(store.describe(METADATA) + " is not a Sparkprop model (format '"
          + (meta == null ? "" : meta.path("format").asText()) + "')");
    }
    int version = meta.path("formatVersion").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new IOException(where + " has model format version " + version
          + "; this Sparkprop reads version " + FORMAT_VERSION);
    }
    Network net;
    try {
      net = Network.of(NetworkSpec.parse(meta.path("network").asText()),
          Losses.byName(meta.path("loss").asText()), org.sparkprop.linalg.Blas.fast());
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": bad network in metadata: " + e.getMessage(), e);
    }
    String weights = weightsFileOf(meta);
    ArrayFile.Content c = ArrayFile.read(store, weights);
    String wf = store.describe(weights);
    float[] params = c.array("params", wf);
    float[] state = c.array("netState", wf);
    float[] shift = c.array("scaler.shift", wf);
    float[] scale = c.array("scaler.scale", wf);
    if (params.length != net.paramCount() || state.length != net.stateCount()
        || shift.length != net.inputSize() || scale.length != net.inputSize()) {
      throw new IOException(wf + " does not fit network " + net.spec() + ": " + params.length
          + " params (expected " + net.paramCount() + "), " + state.length + " state values (expected "
          + net.stateCount() + "), scaler of " + shift.length + " features (expected "
          + net.inputSize() + ")");
    }
    List<String> classNames = null;
    if (meta.path("classNames").isArray()) {
      classNames = new ArrayList<>();
      for (JsonNode n : meta.path("classNames")) {
        classNames.add(n.asText());
      }
    }
    try {
      Scaler.Kind kind = Scaler.Kind.parse(meta.path("scaling").asText("none"));
      Map<String, Object> provenance = ArrayFile.json().convertValue(meta.path("provenance"),
          new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
      return new Model(net, params, state, new Scaler(kind, shift, scale), classNames,
          provenance == null ? Map.of() : provenance);
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }
}
