package org.sparkprop.arch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine packages know nothing of Spark: Spark is a thin adapter in {@code spark}, {@code ml}
 * and {@code cli}. This test reads their sources and fails on any mention of org.apache.spark.
 */
class EngineIndependenceTest {

  static final List<String> ENGINE = List.of("linalg", "nn", "optim", "data", "train");

  @Test
  void enginePackagesDoNotImportSpark() throws IOException {
    List<String> offenders = new ArrayList<>();
    int files = 0;
    for (String pkg : ENGINE) {
      Path dir = Path.of("src/main/java/org/sparkprop", pkg);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path f : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
          files++;
          if (Files.readString(f).contains("org.apache.spark")) {
            offenders.add(f.toString());
          }
        }
      }
    }
    assertTrue(files > 10, "found the engine sources");
    assertTrue(offenders.isEmpty(), "engine sources mention org.apache.spark: " + offenders);
  }
}
