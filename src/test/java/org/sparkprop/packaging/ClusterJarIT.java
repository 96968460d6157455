package org.sparkprop.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The jars {@code mvn package} built (run by failsafe in {@code verify}, after packaging): the
 * cluster jar holds Sparkprop and the few libraries Spark does not ship, nothing else, and the
 * benchmarks live in their own jar.
 */
class ClusterJarIT {

  static final long MAX_CLUSTER_JAR_BYTES = 3L * 1024 * 1024;

  static Path target() {
    return Path.of(System.getProperty("sparkprop.target", "target"));
  }

  static List<String> entries(Path jar) throws IOException {
    assertTrue(Files.isRegularFile(jar), jar + " was built");
    try (JarFile f = new JarFile(jar.toFile())) {
      return Collections.list(f.entries()).stream().map(ZipEntry::getName).toList();
    }
  }

  static List<String> startingWith(List<String> names, String... prefixes) {
    List<String> hits = new ArrayList<>();
    for (String n : names) {
      for (String p : prefixes) {
        if (n.startsWith(p)) {
          hits.add(n);
        }
      }
    }
    return hits;
  }

  @Test
  void clusterJarIsSlim() throws IOException {
    Path jar = target().resolve("sparkprop-spark.jar");
    List<String> names = entries(jar);
    long size = Files.size(jar);
    assertTrue(size <= MAX_CLUSTER_JAR_BYTES, "cluster jar is " + size + " bytes, over 3 MB");
    // What Spark ships, or what plotting to PDF and native terminals would drag in.
    List<String> unwanted = startingWith(names, "org/apache/pdfbox/", "org/apache/fontbox/",
        "de/rototor/", "org/apache/commons/logging/", "de/erichseifert/", "org/jline/nativ/",
        "org/apache/spark/", "scala/", "com/fasterxml/jackson/", "org/slf4j/", "org/sparkprop/bench/");
    assertEquals(List.of(), unwanted.subList(0, Math.min(10, unwanted.size())),
        unwanted.size() + " unwanted entries in the cluster jar");
    // What it must hold: our code, its libraries, the Spark ML services.
    for (String needed : List.of("org/sparkprop/cli/Main.class",
        "org/sparkprop/ml/SparkpropClassifier.class", "picocli/CommandLine.class",
        "com/typesafe/config/Config.class", "org/knowm/xchart/XYChart.class",
        "me/tongfei/progressbar/ProgressBar.class",
        "META-INF/services/org.apache.spark.ml.Estimator")) {
      assertTrue(names.contains(needed), needed + " in the cluster jar");
    }
  }

  @Test
  void libraryJarHasNoBenchmarksAndTheBenchJarOnlyThem() throws IOException {
    List<String> lib = entries(target().resolve("sparkprop.jar"));
    assertEquals(List.of(), startingWith(lib, "org/sparkprop/bench/"));
    assertTrue(lib.contains("org/sparkprop/nn/Network.class"), "engine classes in the library jar");
    List<String> bench = entries(target().resolve("sparkprop-bench.jar"));
    assertTrue(bench.contains("org/sparkprop/bench/ScaleBench.class"), "ScaleBench in the bench jar");
    for (String n : bench) {
      assertTrue(n.startsWith("META-INF/") || n.startsWith("org/sparkprop/bench/")
          || n.equals("org/") || n.equals("org/sparkprop/"), n + " does not belong in the bench jar");
    }
  }
}
