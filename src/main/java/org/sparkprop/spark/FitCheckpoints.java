package org.sparkprop.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkprop.train.Checkpoints;
import org.sparkprop.train.TrainConfig;

/**
 * Checkpoints per fit under a parent folder, as Spark ML estimators use them: each fit writes into
 * {@code <parent>/<prefix>-<key>}, the key a hash of the training config and of the data (rows and
 * sampled content of each partition). So an estimator fit again on the same data finds the
 * checkpoints of the fit that died and resumes from them, while CrossValidator's folds, OneVsRest's
 * classes and a param grid, which differ in data or config, never share a folder. A fit that
 * completes deletes its folder: the model is the result, and nothing is left behind.
 */
final class FitCheckpoints {

  private FitCheckpoints() {}

  static String folder(String parent, String prefix, TrainConfig cfg, SparkTrainConfig dist,
                       List<SparkData.PartitionInfo> census) {
    StringBuilder id = new StringBuilder();
    id.append(cfg.toMap()).append('\n').append(dist.toMap()).append('\n');
    for (SparkData.PartitionInfo p : census) {
      id.append(p.rows()).append(':').append(Long.toHexString(p.sample())).append(',');
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(id.toString().getBytes(StandardCharsets.UTF_8));
      return parent.replaceAll("/+$", "") + "/" + prefix + "-" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** True when {@code dir} holds at least one checkpoint (a fit there did not complete). */
  static boolean holdsCheckpoints(String dir, Configuration conf) {
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(conf);
      return fs.exists(p) && !new Checkpoints(new HadoopFileStore(dir, conf), 1).steps().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint folder " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a completed fit's folder. */
  static void delete(String dir, Configuration conf) {
    try {
      Path p = new Path(dir);
      p.getFileSystem(conf).delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete checkpoint folder " + dir + ": " + e.getMessage(), e);
    }
  }
}
