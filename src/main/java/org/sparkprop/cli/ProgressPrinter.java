package org.sparkprop.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sparkprop.train.EpochMetrics;
import org.sparkprop.train.TrainingListener;

/**
 * Prints one line per epoch (loss, metric, validation, samples/s, elapsed, ETA) and, when stderr is
 * a terminal, a progress bar over the epoch's steps.
 */
final class ProgressPrinter implements TrainingListener {

  private final PrintStream out;
  private final boolean bar;
  private ProgressBar progress;
  private int epochs;

  ProgressPrinter(PrintStream out) {
    this.out = out;
    this.bar = System.console() != null;
  }

  @Override
  public void onStart(int epochs, int stepsPerEpoch, long rows) {
    this.epochs = epochs;
    out.printf("training on %,d rows: %d epochs of %d steps%n", rows, epochs, stepsPerEpoch);
  }

  @Override
  public void onProgress(int epoch, int stepsDoneInEpoch, int stepsPerEpoch) {
    if (!bar) {
      return;
    }
    if (progress == null) {
      progress = new ProgressBarBuilder().setTaskName("epoch " + epoch).setInitialMax(stepsPerEpoch)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
          .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
    }
    progress.stepTo(stepsDoneInEpoch);
  }

  @Override
  public void onEpoch(EpochMetrics m) {
    if (progress != null) {
      progress.close();
      progress = null;
    }
    double eta = m.elapsedSeconds() / m.epoch() * (epochs - m.epoch());
    String name = m.metricName();
    StringBuilder sb = new StringBuilder(String.format("epoch %2d/%d  loss %.4f  %s %.4f", m.epoch(),
        epochs, m.trainLoss(), name, m.trainMetric()));
    if (m.hasValidation()) {
      sb.append(String.format("  val_loss %.4f  val_%s %.4f", m.validationLoss(), name,
          m.validationMetric()));
    }
    sb.append(String.format("  %,.0f samples/s  elapsed %.1fs  ETA %.1fs", m.samplesPerSecond(),
        m.elapsedSeconds(), eta));
    out.println(sb);
  }
}
