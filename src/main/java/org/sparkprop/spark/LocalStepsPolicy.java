package org.sparkprop.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.train.TrainingState;

/**
 * H, the local steps per round of local SGD: given ({@code spark.localSteps}), saved in the
 * checkpoint being resumed, or chosen after a measured first epoch, for overhead and for accuracy:
 *
 * <pre>
 *   overhead   J = wall − compute of the calibration round, compute = max(slowest task,
 *              Σ task seconds / min(tasks, slots))   (tasks beyond the slots run in waves)
 *              J ≤ f·(J + H·step)  ⇒  H ≥ J·(1 − f) / (f·step)          f = overheadTarget
 *   accuracy   at least ⌈R / 2⌉ rounds per epoch: one-shot averaging of many replicas that each saw
 *              1/R of an epoch loses accuracy as R grows (measured: docs/scaling.md)
 *   H          the fewest steps meeting the overhead bound, as S, S/2, S/4 … of an epoch's S steps
 *              (equal rounds, and a choice small timing noise rarely changes), then capped by the
 *              accuracy bound
 * </pre>
 * H depends on measured time: give {@code spark.localSteps} for runs that must be bit-reproducible.
 * In synchronous mode H is 1; in allreduce mode it is the steps of a barrier stage.
 */
final class LocalStepsPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(LocalStepsPolicy.class);

  /** What the driver measured of one job. */
  record JobTiming(double wallSeconds, double slowestTaskSeconds, double totalTaskSeconds,
                   int busyTasks, int steps) {

    /** Seconds of the job's critical path spent computing, with tasks beyond the slots in waves. */
    double computeSeconds(int slots) {
      int parallel = Math.max(1, Math.min(busyTasks, slots));
      return Math.max(slowestTaskSeconds, totalTaskSeconds / parallel);
    }

    double overheadSeconds(int slots) {
      return Math.max(0, wallSeconds - computeSeconds(slots));
    }
  }

  private final SparkTrainConfig dist;
  private final int stepsPerEpoch;
  private final int replicas;
  private final int slots;

  LocalStepsPolicy(SparkTrainConfig dist, int stepsPerEpoch, int replicas, int slots) {
    this.dist = dist;
    this.stepsPerEpoch = stepsPerEpoch;
    this.replicas = replicas;
    this.slots = Math.max(1, slots);
  }

  /** H for this run, or 0 while the first epoch calibrates it. */
  int resolve(TrainingState st) {
    if (dist.mode() == SyncMode.SYNC) {
      return 1;
    }
    if (dist.mode() == SyncMode.ALLREDUCE) {                // steps per barrier stage
      return dist.stageSteps() > 0 ? Math.min(dist.stageSteps(), stepsPerEpoch) : stepsPerEpoch;
    }
    Object saved = st.extras.get("localSteps");
    if (saved instanceof Number n && n.intValue() > 0) {
      return n.intValue();
    }
    if (dist.localSteps() > 0) {
      return Math.min(dist.localSteps(), stepsPerEpoch);
    }
    return 0;
  }

  /** Steps of each calibration round: the first epoch runs at the accuracy bound. */
  int calibrationRoundSteps() {
    return accuracyBound();
  }

  /** The most steps per round that keep ⌈R/2⌉ rounds per epoch. */
  int accuracyBound() {
    int rounds = Math.max(1, (replicas + 1) / 2);
    return Math.max(1, (stepsPerEpoch + rounds - 1) / rounds);
  }

  /** Fixes H from the calibration epoch's last round. */
  int choose(JobTiming round) {
    double stepSeconds = round.computeSeconds(slots) / Math.max(1, round.steps());
    double overhead = round.overheadSeconds(slots);
    double f = dist.overheadTarget();
    double needed = overhead * (1 - f) / (f * Math.max(stepSeconds, 1e-6));
    int rounds = 1;
    while ((stepsPerEpoch + 2 * rounds - 1) / (2 * rounds) >= needed && 2 * rounds <= stepsPerEpoch) {
      rounds *= 2;
    }
    int forOverhead = (stepsPerEpoch + rounds - 1) / rounds;
    int h = Math.min(forOverhead, accuracyBound());
    LOG.info("local SGD: job overhead {} ms, {} ms per local step, {} replicas -> H = {} steps per "
        + "round (overhead bound {}, accuracy bound {})", String.format("%.1f", overhead * 1000),
        String.format("%.2f", stepSeconds * 1000), replicas, h, forOverhead, accuracyBound());
    return h;
  }
}
