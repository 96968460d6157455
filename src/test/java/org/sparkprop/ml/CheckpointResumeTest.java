package org.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.SparkData;
import org.sparkprop.testing.SparkTestSession;

/**
 * {@code checkpointDir} of the estimators: a fit that dies resumes when the same estimator is fit
 * again on the same data, ending with the weights of a fit that never died; a completed fit leaves
 * no folder behind; other data never picks up another fit's checkpoints.
 */
class CheckpointResumeTest {

  static SparkSession spark;
  static Dataset<Row> moons;
  static Dataset<Row> otherMoons;

  @TempDir
  Path dir;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    moons = SparkData.toDataFrame(spark, ToySets.twoMoons(1000, 0.1, 1), 2).cache();
    otherMoons = SparkData.toDataFrame(spark, ToySets.twoMoons(1000, 0.1, 2), 2).cache();
  }

  /** On the executors (a checkpointDir keeps small data off the driver): a job per 4 steps. */
  SparkpropClassifier estimator() {
    return new SparkpropClassifier().setHiddenLayers("16tanh").setEpochs(6).setPatience(0)
        .setBatchSize(32).setStepSize(0.01).setInit("xavier").setSeed(7).setLocalSteps(4)
        .setCheckpointInterval(1).setCheckpointDir(dir.resolve("ck").toUri().toString());
  }

  /** Cancels every Sparkprop job from the {@code n}-th on: a fit dying part-way. */
  static final class CancelFrom extends SparkListener {
    final SparkContext sc;
    final int n;
    final AtomicInteger seen = new AtomicInteger();

    CancelFrom(SparkContext sc, int n) {
      this.sc = sc;
      this.n = n;
    }

    @Override
    public void onJobStart(SparkListenerJobStart e) {
      String d = e.properties().getProperty("spark.job.description", "");
      if (d.startsWith("sparkprop round") && seen.incrementAndGet() >= n) {
        sc.cancelJob(e.jobId());
      }
    }
  }

  static List<Path> folders(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return List.of();
    }
    try (var s = Files.list(p)) {
      return s.toList();
    }
  }

  @Test
  void aFitThatDiedResumesWhenFitAgainAndCompletedFitsLeaveNothing() throws Exception {
    Path ck = dir.resolve("ck");
    CancelFrom count = new CancelFrom(spark.sparkContext(), Integer.MAX_VALUE);   // counts only
    spark.sparkContext().addSparkListener(count);
    float[] undisturbed = estimator().fit(moons).engineModel().params();
    spark.sparkContext().removeSparkListener(count);
    int fullRounds = count.seen.get();
    assertTrue(fullRounds > 20, "rounds of a whole fit: " + fullRounds);
    assertEquals(List.of(), folders(ck), "a completed fit deletes its checkpoints");

    SparkpropClassifier est = estimator();
    CancelFrom cancel = new CancelFrom(spark.sparkContext(), 20);
    spark.sparkContext().addSparkListener(cancel);
    try {
      assertThrows(RuntimeException.class, () -> est.fit(moons));
    } finally {
      spark.sparkContext().removeSparkListener(cancel);
    }
    List<Path> left = folders(ck);
    assertEquals(1, left.size(), "the dead fit's folder: " + left);
    assertTrue(left.get(0).getFileName().toString().startsWith(est.uid() + "-"), left.toString());
    assertTrue(folders(left.get(0)).stream().anyMatch(f -> f.getFileName().toString().startsWith("ckpt-")),
        "it holds checkpoints");

    // Other data: its own folder, a fresh start; the dead fit's folder stays.
    est.fit(otherMoons);
    assertEquals(left, folders(ck), "only the dead fit's folder remains");

    CancelFrom again = new CancelFrom(spark.sparkContext(), Integer.MAX_VALUE);
    spark.sparkContext().addSparkListener(again);
    float[] resumed;
    try {
      resumed = est.fit(moons).engineModel().params();
    } finally {
      spark.sparkContext().removeSparkListener(again);
    }
    assertTrue(again.seen.get() < fullRounds - 15, "resumed after the ~19 rounds done: ran "
        + again.seen.get() + " of " + fullRounds);
    assertArrayEquals(undisturbed, resumed, "resumed: the weights of the fit that never died");
    assertEquals(List.of(), folders(ck), "the resumed fit completed and deleted its folder");
  }
}
