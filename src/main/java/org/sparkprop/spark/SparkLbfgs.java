package org.sparkprop.spark;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.Penalty;
import org.sparkprop.optim.Lbfgs;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.EpochMetrics;
import org.sparkprop.train.Evaluator;
import org.sparkprop.train.GradientWorker;
import org.sparkprop.train.Model;
import org.sparkprop.train.Provenance;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;
import org.sparkprop.train.TrainingResult;
import org.sparkprop.train.UpdateRule;

/**
 * Full-batch L-BFGS on Spark, as MLlib trains its linear models and its perceptron classifier:
 * the driver runs the local trainer's strong-Wolfe L-BFGS ({@link Lbfgs}) and every function
 * evaluation is one Spark job over all rows:
 * <pre>
 *   broadcast w;  every partition: Σ w_i·∂L_i/∂θ, Σ w_i·L_i, Σ w_i over its rows
 *   driver:       the partials summed in partition order ({@link FixedTree}), then
 *                 f(θ) = ΣwL/Σw + P(θ),  ∇f = Σw∂L/Σw + ∇P
 * </pre>
 * the local trainer's objective, so the two agree within float summation order. Each iteration
 * costs one job plus the line search's extra evaluations (usually none).
 */
final class SparkLbfgs {

  private static final Logger LOG = LoggerFactory.getLogger(SparkLbfgs.class);

  private SparkLbfgs() {}

  /** Trains on {@code data} (and evaluates {@code validation} at the end), both already scaled. */
  static TrainingResult fit(JavaSparkContext sc, TrainConfig cfg, Network net, JavaRDD<Block> data,
                            JavaRDD<Block> validation, Scaler scaler, List<TrainingListener> listeners,
                            List<String> classNames, String dataSource, long rows) {
    long t0 = System.nanoTime();
    for (TrainingListener l : listeners) {
      l.onStart(cfg.epochs(), 1, rows);
    }
    Penalty penalty = cfg.buildPenalty();
    UpdateRule rule = new UpdateRule(cfg.buildOptimizer(), cfg.buildSchedule(1), penalty, 0,
        net.segments());
    float[] netState = net.initState();
    long[] jobs = {0};
    Lbfgs.Result r = cfg.buildLbfgs().minimize((w, g) -> {
      jobs[0]++;
      Partial total = gradient(sc, cfg, data, w, netState);
      if (total.sums.weightSum <= 0) {
        throw new IllegalArgumentException("the training data has no weight (Σw = 0): nothing to fit");
      }
      System.arraycopy(total.vector, 0, g, 0, g.length);
      rule.prepare(w, g, total.sums.weightSum, 0, g.length);       // g = Σ∂L/Σw + ∇P
      return total.sums.meanLoss() + penalty.value(w, net.segments());
    }, net.initParams(cfg.buildInit(), cfg.seed()), iteration -> {
      for (TrainingListener l : listeners) {
        l.onProgress(iteration, 1, 1);
      }
    });
    LOG.info("lbfgs: {} iterations, {} Spark jobs, {}", r.iterations(), jobs[0], r.stopReason());
    BatchSums train = evaluate(sc, cfg, data, r.weights(), netState);
    BatchSums val = validation == null ? null : evaluate(sc, cfg, validation, r.weights(), netState);
    double seconds = (System.nanoTime() - t0) / 1e9;
    EpochMetrics m = new EpochMetrics(r.iterations(), r.iterations(), train.meanLoss(),
        Evaluator.metric(net, train), val == null ? Double.NaN : val.meanLoss(),
        val == null ? Double.NaN : Evaluator.metric(net, val), Evaluator.metricName(net), 0,
        train.rows * (double) jobs[0] / seconds, seconds, seconds);
    for (TrainingListener l : listeners) {
      l.onEpoch(m);
    }
    Map<String, Object> provenance = Provenance.of(cfg.toMap(), dataSource, "spark:" + sc.master(),
        List.of(m));
    Model model = new Model(net, r.weights(), netState, scaler, classNames, provenance);
    TrainingResult result = new TrainingResult(model, List.of(m), r.iterations(), seconds, false,
        1, 0);
    for (TrainingListener l : listeners) {
      l.onEnd(result);
    }
    return result;
  }

  private static Partial gradient(JavaSparkContext sc, TrainConfig cfg, JavaRDD<Block> data,
                                  float[] w, float[] netState) {
    Broadcast<Snapshot> bc = sc.broadcast(new Snapshot(w.clone(), netState, null, null));
    try {
      return FixedTree.sum(data.mapPartitionsWithIndex(new FullGradient(bc, cfg), true));
    } catch (Exception e) {                                 // Spark's SparkException is checked
      throw SparkData.unwrap(e);
    } finally {
      bc.destroy();
    }
  }

  private static BatchSums evaluate(JavaSparkContext sc, TrainConfig cfg, JavaRDD<Block> data,
                                    float[] w, float[] netState) {
    Broadcast<Snapshot> bc = sc.broadcast(new Snapshot(w, netState, null, null));
    try {
      return FixedTree.sum(data.mapPartitionsWithIndex(new Tasks.Evaluate(bc, cfg), true)).sums;
    } catch (Exception e) {
      throw SparkData.unwrap(e);
    } finally {
      bc.destroy();
    }
  }

  /** One partition's Σ w·∂L/∂θ and loss sums at the broadcast weights, over all its rows. */
  static final class FullGradient implements Function2<Integer, Iterator<Block>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Snapshot> snapshot;
    private final TrainConfig config;

    FullGradient(Broadcast<Snapshot> snapshot, TrainConfig config) {
      this.snapshot = snapshot;
      this.config = config;
    }

    @Override
    public Iterator<Partial> call(Integer partition, Iterator<Block> it) {
      Network net = config.buildNetwork();
      GradientWorker worker = new GradientWorker(net, config.microBatch());
      worker.reset();
      Snapshot snap = snapshot.value();
      float[] state = snap.netState.clone();
      while (it.hasNext()) {
        Block b = it.next();
        if (b.rows() > 0) {
          worker.accumulate(b, Blocks.identity(b.rows()), 0, b.rows(), snap.params, state, 0L, null);
        }
      }
      Partial out = new Partial();
      out.tasks = 1;
      out.vector = worker.grad().clone();
      out.sums.add(worker.sums());
      return List.of(out).iterator();
    }
  }
}
