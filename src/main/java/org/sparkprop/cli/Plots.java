package org.sparkprop.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.sparkprop.train.EpochMetrics;

/**
 * Learning curves as PNG: one run (loss, its metric and the learning rate, training against
 * validation or test), or several runs compared (loss and metric, a colour per run).
 */
final class Plots {

  private Plots() {}

  /** One run's curves, read from its metrics or taken from its history. */
  record Curves(String name, String metricName, double[] epochs, double[] trainLoss,
                double[] trainMetric, double[] validationLoss, double[] validationMetric,
                double[] learningRate) {
    boolean hasValidation() {
      return validationLoss != null;
    }

    static Curves of(List<EpochMetrics> h, String name) {
      boolean val = h.get(0).hasValidation();
      return new Curves(name, h.get(0).metricName(), col(h, EpochMetrics::epoch),
          col(h, EpochMetrics::trainLoss), col(h, EpochMetrics::trainMetric),
          val ? col(h, EpochMetrics::validationLoss) : null,
          val ? col(h, EpochMetrics::validationMetric) : null, col(h, EpochMetrics::learningRate));
    }

    private static double[] col(List<EpochMetrics> h, ToDoubleFunction<EpochMetrics> f) {
      return h.stream().mapToDouble(f).toArray();
    }
  }

  /** Three charts side by side: loss, the metric, and the learning rate per epoch. */
  static BufferedImage run(Curves c, String title) {
    XYChart loss = chart(title + ": loss", "loss");
    XYChart metric = chart(title + ": " + c.metricName(), c.metricName());
    loss.addSeries("train", c.epochs(), c.trainLoss());
    metric.addSeries("train", c.epochs(), c.trainMetric());
    if (c.hasValidation()) {
      loss.addSeries("validation", c.epochs(), c.validationLoss());
      metric.addSeries("validation", c.epochs(), c.validationMetric());
    }
    XYChart lr = chart(title + ": learning rate", "learning rate");
    lr.getStyler().setYAxisDecimalPattern("0.###E0");   // 1e-3 rather than .000999999
    lr.getStyler().setLegendVisible(false);
    lr.addSeries("lr", c.epochs(), c.learningRate());
    return sideBySide(loss, metric, lr);
  }

  /**
   * Runs compared: loss and metric, one colour per run; validation solid, training dashed (only
   * the training curve, solid, for a run without validation).
   */
  static BufferedImage compare(List<Curves> runs) {
    String metricName = runs.get(0).metricName();
    for (Curves c : runs) {
      if (!c.metricName().equals(metricName)) {
        throw new IllegalArgumentException("runs " + runs.get(0).name() + " and " + c.name()
            + " measure different metrics (" + metricName + ", " + c.metricName()
            + "): compare classifiers with classifiers and regressors with regressors");
      }
    }
    XYChart loss = chart("loss", "loss");
    XYChart metric = chart(metricName, metricName);
    for (Curves c : runs) {
      boolean val = c.hasValidation();
      XYSeries lt = loss.addSeries(c.name() + (val ? " train" : ""), c.epochs(), c.trainLoss());
      XYSeries mt = metric.addSeries(c.name() + (val ? " train" : ""), c.epochs(), c.trainMetric());
      if (val) {
        XYSeries lv = loss.addSeries(c.name() + " validation", c.epochs(), c.validationLoss());
        XYSeries mv = metric.addSeries(c.name() + " validation", c.epochs(), c.validationMetric());
        Color colour = lv.getLineColor();
        for (XYSeries s : List.of(lt, mt)) {                  // same colour, dashed
          s.setLineColor(colour);
          s.setMarkerColor(colour);
          s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
              new float[] {6f, 4f}, 0f));
        }
        mv.setLineColor(colour);
        mv.setMarkerColor(colour);
      }
    }
    return sideBySide(loss, metric);
  }

  private static XYChart chart(String title, String y) {
    XYChart c = new XYChartBuilder().width(560).height(420).title(title).xAxisTitle("epoch")
        .yAxisTitle(y).build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setMarkerSize(5);
    return c;
  }

  /** A PNG of {@code image} on {@code out} (closed). */
  static void png(BufferedImage image, OutputStream out) throws IOException {
    try (out) {
      ImageIO.write(image, "png", out);
    }
  }

  /** The charts side by side in one image. */
  private static BufferedImage sideBySide(XYChart... charts) {
    BufferedImage[] images = new BufferedImage[charts.length];
    int width = 0;
    int height = 0;
    for (int i = 0; i < charts.length; i++) {
      images[i] = BitmapEncoder.getBufferedImage(charts[i]);
      width += images[i].getWidth();
      height = Math.max(height, images[i].getHeight());
    }
    BufferedImage all = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    for (int i = 0, x = 0; i < images.length; x += images[i].getWidth(), i++) {
      g.drawImage(images[i], x, 0, null);
    }
    g.dispose();
    return all;
  }
}
