package org.sparkprop.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.sparkprop.train.ArrayFile;
import org.sparkprop.train.EpochMetrics;

/** Writes a run's metrics as CSV and JSON and its learning curves as a PNG. */
final class Reports {

  private Reports() {}

  static void metricsCsv(List<EpochMetrics> history, Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (!history.isEmpty()) {
      sb.append(String.join(",", history.get(0).toMap().keySet())).append('\n');
      for (EpochMetrics m : history) {
        List<String> cells = new ArrayList<>();
        for (Object v : m.toMap().values()) {
          cells.add(v == null ? "" : v.toString());
        }
        sb.append(String.join(",", cells)).append('\n');
      }
    }
    Files.writeString(file, sb);
  }

  static void metricsJson(List<EpochMetrics> history, Map<String, Object> summary, Path file)
      throws IOException {
    List<Map<String, Object>> rows = history.stream().map(EpochMetrics::toMap).toList();
    Files.write(file, ArrayFile.json().writerWithDefaultPrettyPrinter()
        .writeValueAsBytes(Map.of("epochs", rows, "summary", summary)));
  }

  /** Two charts side by side: loss, and accuracy (or RMSE), for training and validation. */
  static void plot(List<EpochMetrics> history, String title, Path file) throws IOException {
    if (history.isEmpty()) {
      return;
    }
    double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
    String metric = history.get(0).metricName();
    XYChart loss = chart(title + ": loss", "loss");
    loss.addSeries("train", epochs, history.stream().mapToDouble(EpochMetrics::trainLoss).toArray());
    XYChart acc = chart(title + ": " + metric, metric);
    acc.addSeries("train", epochs, history.stream().mapToDouble(EpochMetrics::trainMetric).toArray());
    if (history.get(0).hasValidation()) {
      loss.addSeries("validation", epochs,
          history.stream().mapToDouble(EpochMetrics::validationLoss).toArray());
      acc.addSeries("validation", epochs,
          history.stream().mapToDouble(EpochMetrics::validationMetric).toArray());
    }
    BufferedImage a = BitmapEncoder.getBufferedImage(loss);
    BufferedImage b = BitmapEncoder.getBufferedImage(acc);
    BufferedImage both = new BufferedImage(a.getWidth() + b.getWidth(), a.getHeight(),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = both.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, both.getWidth(), both.getHeight());
    g.drawImage(a, 0, 0, null);
    g.drawImage(b, a.getWidth(), 0, null);
    g.dispose();
    ImageIO.write(both, "png", file.toFile());
  }

  private static XYChart chart(String title, String y) {
    XYChart c = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("epoch")
        .yAxisTitle(y).build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setMarkerSize(5);
    return c;
  }
}
