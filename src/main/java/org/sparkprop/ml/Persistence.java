package org.sparkprop.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.spark.HadoopFileStore;
import org.sparkprop.train.ArrayFile;
import org.sparkprop.train.Model;
import org.sparkprop.train.ModelIO;

/**
 * Saving and loading Sparkprop's Spark ML models with public Spark API only:
 * <pre>
 *   path/metadata/part-00000   Spark's metadata JSON line (class, timestamp, sparkVersion, uid,
 *                              paramMap, defaultParamMap) plus "sparkpropFormatVersion", so that
 *                              Pipeline and CrossValidator loading find the class
 *   path/model/                the engine's model directory, the format `sparkprop train` writes
 *                              (metadata.json + the weights file it names)
 * </pre>
 * Loading checks the class and the format version and fails clearly on a mismatch; nothing in the
 * files is executed (JSON and float arrays only).
 */
final class Persistence {

  static final int FORMAT_VERSION = 1;

  private Persistence() {}

  static void save(Params instance, Model model, String path) throws IOException {
    saveMetadata(instance, path, null);
    ModelIO.save(model, new HadoopFileStore(path + "/model", sc().hadoopConfiguration()), false);
  }

  private static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(SparkSession.active().sparkContext());
  }

  /** Writes Spark's metadata line for {@code instance}, with {@code extra} fields if given. */
  static void saveMetadata(Params instance, String path, ObjectNode extra) throws IOException {
    ObjectNode meta = ArrayFile.json().createObjectNode();
    meta.put("class", instance.getClass().getName());
    meta.put("timestamp", System.currentTimeMillis());
    meta.put("sparkVersion", SparkSession.active().version());
    meta.put("uid", instance.uid());
    meta.put("sparkpropFormatVersion", FORMAT_VERSION);
    meta.set("paramMap", params(instance, false));
    meta.set("defaultParamMap", params(instance, true));
    if (extra != null) {
      meta.set("sparkprop", extra);
    }
    sc().parallelize(List.of(ArrayFile.json().writeValueAsString(meta)), 1)
        .saveAsTextFile(path + "/metadata");
  }

  /** The metadata line at {@code path} (Spark's, or ours), as JSON. */
  private static JsonNode metadataLine(String path) throws IOException {
    String line;
    try {
      line = sc().textFile(path + "/metadata", 1).first();
    } catch (Exception e) {                                // Hadoop's InvalidInputException is checked
      throw new IOException("no Spark ML metadata at " + path + "/metadata: " + e.getMessage(), e);
    }
    return ArrayFile.json().readTree(line);
  }

  /** Reads the metadata line at {@code path}, checking class and format version. */
  static JsonNode loadMetadata(String path, Class<?> expected) throws IOException {
    JsonNode meta = metadataLine(path);
    String cls = meta.path("class").asText();
    if (!cls.equals(expected.getName())) {
      throw new IOException("the model at " + path + " is a " + cls + ", not a " + expected.getName()
          + "; load it with " + cls + ".load");
    }
    int version = meta.path("sparkpropFormatVersion").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new IOException("the model at " + path + " has Sparkprop format version " + version
          + "; this Sparkprop reads version " + FORMAT_VERSION);
    }
    return meta;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static ObjectNode params(Params instance, boolean defaults) throws IOException {
    ObjectNode node = ArrayFile.json().createObjectNode();
    for (Param p : instance.params()) {
      boolean include = defaults ? instance.hasDefault(p) : instance.isSet(p);
      if (!include) {
        continue;
      }
      Object value = defaults ? instance.getDefault(p).get() : instance.getOrDefault(p);
      if (value instanceof Params) {
        continue;                          // a nested stage (OneVsOne's classifier): saved apart
      }
      node.set(p.name(), ArrayFile.json().readTree(p.jsonEncode(value)));
    }
    return node;
  }

  /** The MLWriter of a Sparkprop model: {@link #save} into the path Spark's writer gives. */
  static org.apache.spark.ml.util.MLWriter writer(Params instance, java.util.function.Supplier<Model> model) {
    return writer(path -> save(instance, model.get(), path));
  }

  /** What was loaded: the uid, the explicitly set and the default params (JSON), the engine model. */
  record Loaded(String uid, JsonNode paramMap, JsonNode defaultParamMap, Model model) {}

  /** Params renamed since; saved models with the old names still load. */
  private static final Map<String, String> RENAMED = Map.of("epochs", "maxIter", "minDelta", "tol");

  /**
   * Sets on {@code instance} the defaults it was saved with (as Spark's own readers do since
   * Spark 3.0), so a model keeps its saved defaults when this version's differ; names unknown to
   * this version are skipped (defaults carry no user choice).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void setSavedDefaults(Params instance, JsonNode defaults) throws IOException {
    for (Map.Entry<String, JsonNode> e : defaults.properties()) {
      String name = RENAMED.getOrDefault(e.getKey(), e.getKey());
      if (instance.hasParam(name)) {
        Param p = instance.getParam(name);
        instance.setDefault(p, p.jsonDecode(ArrayFile.json().writeValueAsString(e.getValue())));
      }
    }
  }

  /**
   * A saved Spark ML model at {@code path}; or, where {@code path} has no Spark metadata but holds
   * the engine's model (a folder {@code sparkprop train} wrote, or a run's output folder with it
   * under {@code model/}), that model with a fresh uid and the params at their defaults.
   */
  static Loaded load(String path, Class<?> expected) throws IOException {
    org.apache.hadoop.conf.Configuration conf = sc().hadoopConfiguration();
    String stripped = path.replaceAll("/+$", "");
    org.apache.hadoop.fs.Path sparkMeta = new org.apache.hadoop.fs.Path(stripped + "/metadata");
    if (!sparkMeta.getFileSystem(conf).exists(sparkMeta)) {
      for (String dir : new String[] {stripped, stripped + "/model"}) {
        HadoopFileStore store = new HadoopFileStore(dir, conf);
        if (store.exists(ModelIO.METADATA)) {
          return new Loaded(Uids.random(expected.getSimpleName()), ArrayFile.json().createObjectNode(),
              ArrayFile.json().createObjectNode(), ModelIO.load(store));
        }
      }
    }
    JsonNode meta = loadMetadata(path, expected);
    Model model = ModelIO.load(new HadoopFileStore(path + "/model", conf));
    return new Loaded(meta.path("uid").asText(), meta.path("paramMap"),
        meta.path("defaultParamMap"), model);
  }

  /**
   * The reader of an estimator saved by Spark's DefaultParamsWritable: Spark's own reader fails on
   * a param name it does not know, so saves with the older names (epochs, minDelta) would not load.
   * This one maps them, sets the saved defaults and then the saved params.
   */
  static <T extends Params> org.apache.spark.ml.util.MLReader<T> estimatorReader(Class<T> type,
      java.util.function.Function<String, T> make) {
    return new org.apache.spark.ml.util.MLReader<>() {
      @Override
      @SuppressWarnings("unchecked")
      public T load(String path) {
        try {
          JsonNode meta = metadataLine(path);
          if (!type.getName().equals(meta.path("class").asText())) {
            throw new IOException("the stage at " + path + " is a " + meta.path("class").asText()
                + ", not a " + type.getName());
          }
          T instance = make.apply(meta.path("uid").asText());
          setSavedDefaults(instance, meta.path("defaultParamMap"));
          return (T) instance.copy(paramMap(instance, meta.path("paramMap")));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
      }
    };
  }

  /** An MLWriter running {@code save} (which may throw IOException) on the path Spark gives. */
  static org.apache.spark.ml.util.MLWriter writer(IoConsumer<String> save) {
    return new org.apache.spark.ml.util.MLWriter() {
      @Override
      public void saveImpl(String path) {
        try {
          save.accept(path);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  /** A consumer that may throw IOException. */
  interface IoConsumer<T> {
    void accept(T t) throws IOException;
  }

  /** The saved params as a ParamMap for {@code instance}; unknown names are an error. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static ParamMap paramMap(Params instance, JsonNode paramMap) throws IOException {
    ParamMap map = ParamMap.empty();
    for (Map.Entry<String, JsonNode> e : paramMap.properties()) {
      String name = RENAMED.getOrDefault(e.getKey(), e.getKey());
      if (!instance.hasParam(name)) {
        throw new IOException("saved param '" + e.getKey() + "' is unknown to "
            + instance.getClass().getSimpleName() + " (saved by a different version?)");
      }
      Param p = instance.getParam(name);
      map.put(p, p.jsonDecode(ArrayFile.json().writeValueAsString(e.getValue())));
    }
    return map;
  }
}
