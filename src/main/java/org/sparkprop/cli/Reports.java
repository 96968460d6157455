package org.sparkprop.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkprop.train.ArrayFile;
import org.sparkprop.train.EpochMetrics;

/** Writes a run's metrics as CSV and JSON (its plot: {@link Plots}). */
final class Reports {

  private Reports() {}

  static void metricsCsv(List<EpochMetrics> history, OutputDir dir, String file) throws IOException {
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
    dir.write(file, sb.toString());
  }

  static void metricsJson(List<EpochMetrics> history, Map<String, Object> summary, OutputDir dir,
                          String file) throws IOException {
    List<Map<String, Object>> rows = history.stream().map(EpochMetrics::toMap).toList();
    dir.write(file, ArrayFile.json().writerWithDefaultPrettyPrinter()
        .writeValueAsString(Map.of("epochs", rows, "summary", summary)));
  }
}
