package org.sparkprop.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.train.TrainConfig;

/**
 * A run's configuration: the defaults ({@code sparkprop-defaults.conf}), a HOCON file, and
 * {@code key=value} overrides, in increasing priority; then typed and validated. An unknown key is
 * an error (a typo must not silently fall back to a default).
 */
public final class RunConfig {

  private final Config config;
  /** What the config file and the overrides set, without the defaults. */
  private final Config given;

  private RunConfig(Config config, Config given) {
    this.config = config;
    this.given = given;
  }

  /** Whether the config file or an override sets {@code key} (relative to sparkprop). */
  public boolean isSet(String key) {
    try {
      return given.hasPath("sparkprop." + key);
    } catch (com.typesafe.config.ConfigException.NotResolved e) {
      return true;                                         // set, through a substitution
    }
  }

  /**
   * @param file a HOCON file, or null for the defaults alone
   * @param overrides {@code key=value}, keys relative to {@code sparkprop} (e.g. training.epochs=3)
   */
  public static RunConfig load(File file, List<String> overrides) {
    Config defaults = ConfigFactory.parseResources(RunConfig.class.getClassLoader(),
        "sparkprop-defaults.conf");
    Config given = ConfigFactory.empty();
    if (file != null) {
      if (!file.isFile()) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      given = ConfigFactory.parseFile(file);
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("override '" + o + "' is not key=value");
      }
      String key = o.substring(0, eq).trim();
      String full = key.startsWith("sparkprop.") ? key : "sparkprop." + key;
      Config one;
      try {
        one = ConfigFactory.parseString(full + " = " + quoteIfNeeded(o.substring(eq + 1).trim()));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("cannot parse override '" + o + "': " + e.getMessage());
      }
      given = one.withFallback(given);
    }
    Config resolved = given.withFallback(defaults).resolve();
    checkKeys(resolved.getConfig("sparkprop"), defaults.getConfig("sparkprop"), file);
    return new RunConfig(resolved.getConfig("sparkprop"), given);
  }

  private static String quoteIfNeeded(String v) {
    if (v.startsWith("\"") || v.startsWith("{") || v.startsWith("[")) {
      return v;
    }
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void checkKeys(Config c, Config defaults, File file) {
    Set<String> known = new java.util.HashSet<>();
    for (Map.Entry<String, ConfigValue> e : defaults.entrySet()) {
      known.add(e.getKey());
    }
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      String k = e.getKey();
      if (!known.contains(k) && !k.startsWith("training.optimizerParams.")) {
        throw new IllegalArgumentException("unknown setting '" + k + "'"
            + (file == null ? "" : " (in " + file + " or an override)")
            + "; see src/main/resources/sparkprop-defaults.conf for every setting");
      }
    }
  }

  public String string(String key) {
    return config.getString(key);
  }

  public int integer(String key) {
    return config.getInt(key);
  }

  public double number(String key) {
    return config.getDouble(key);
  }

  public boolean bool(String key) {
    return config.getBoolean(key);
  }

  /** A size in bytes ("256m", "1g" or a number). */
  public long bytes(String key) {
    return config.getBytes(key);
  }

  /**
   * The engine's config; model.network must give its widths (no {@code in}/{@code out}
   * placeholders: {@code sparkprop train} resolves those from the data, {@link #train(int, int)}).
   */
  public TrainConfig train() {
    if (NetworkPlaceholders.present(string("model.network"))) {
      throw new IllegalArgumentException("model.network = '" + string("model.network") + "' takes "
          + "its widths from the training data, which only `sparkprop train` reads: give the widths "
          + "(e.g. 784-256relu-10)");
    }
    return train(0, 0);
  }

  /** The engine's config, model.network's {@code in} and {@code out} set to these widths. */
  public TrainConfig train(int inputs, int outputs) {
    Map<String, Double> opt = new HashMap<>();
    Config p = config.getConfig("training.optimizerParams");
    for (Map.Entry<String, ConfigValue> e : p.entrySet()) {
      opt.put(e.getKey(), p.getDouble(e.getKey()));
    }
    Config t = config.getConfig("training");
    return TrainConfig.builder()
        .network(NetworkPlaceholders.resolve(string("model.network"), inputs, outputs)).loss(string("model.loss")).init(string("model.init"))
        .seed(t.getLong("seed")).optimizer(t.getString("optimizer")).optimizerParams(opt)
        .learningRate(t.getDouble("learningRate")).schedule(t.getString("schedule"))
        .penalty(t.getString("penalty")).clipNorm(t.getDouble("clipNorm"))
        .batchSize(t.getInt("batchSize")).epochs(t.getInt("epochs"))
        .minSteps(t.getInt("minSteps")).threads(t.getInt("threads"))
        .validationFraction(t.getDouble("validationFraction")).patience(t.getInt("patience"))
        .minDelta(t.getDouble("minDelta")).restoreBest(t.getBoolean("restoreBest"))
        .onDivergence(t.getString("onDivergence")).microBatch(t.getInt("microBatch"))
        .shuffle(t.getBoolean("shuffle")).scaling(t.getString("scaling"))
        .build();
  }

  /** The Spark trainer's config. */
  public SparkTrainConfig spark() {
    Config s = config.getConfig("spark");
    return new SparkTrainConfig.Builder().mode(SyncMode.parse(s.getString("mode")))
        .localSteps(s.getInt("localSteps")).overheadTarget(s.getDouble("overheadTarget"))
        .outerOptimizer(s.getString("outerOptimizer"))
        .outerLearningRate(s.getDouble("outerLearningRate"))
        .outerMomentum(s.getDouble("outerMomentum")).partitions(config.getInt("data.partitions"))
        .replicas(s.getInt("replicas")).minReplicaSteps(s.getInt("minReplicaSteps"))
        .aggregationDepth(s.getInt("aggregationDepth"))
        .orderedAggregation(s.getBoolean("orderedAggregation")).lrScaling(s.getString("lrScaling"))
        .referenceBatch(s.getInt("referenceBatch")).warmupSteps(s.getInt("warmupSteps"))
        .stageSteps(s.getInt("stageSteps")).collectiveTimeoutMs(s.getLong("collectiveTimeoutMs"))
        .collectivePorts(s.getString("collectivePorts")).syncEpochs(s.getInt("syncEpochs"))
        .streamWindowRows(s.getInt("streamWindowRows"))
        .collectivePrecision(s.getString("collectivePrecision"))
        .collectiveSharedMemory(s.getBoolean("collectiveSharedMemory"))
        .checkpointDir(string("checkpoint.dir")).checkpointEvery(integer("checkpoint.every"))
        .keepLast(integer("checkpoint.keepLast")).overwrite(bool("output.overwrite")).build();
  }

  public boolean useSpark() {
    String t = string("training.trainer");
    if (!t.equals("spark") && !t.equals("local")) {
      throw new IllegalArgumentException("training.trainer must be 'spark' or 'local', got '" + t + "'");
    }
    return t.equals("spark");
  }

  /** The whole resolved config, as JSON, for run logs. */
  public String toJson() {
    return config.root().render(ConfigRenderOptions.concise());
  }
}
