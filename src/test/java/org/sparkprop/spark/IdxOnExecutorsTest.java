package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.IdxReader;
import org.sparkprop.testing.IdxFiles;
import org.sparkprop.testing.OtherSchemeFileSystem;
import org.sparkprop.testing.SparkTestSession;

/** IDX on a Hadoop file system, read by the executors in row ranges. */
class IdxOnExecutorsTest {

  static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void session() {
    sc = SparkTestSession.jsc();
    sc.hadoopConfiguration().set("fs." + OtherSchemeFileSystem.SCHEME + ".impl",
        OtherSchemeFileSystem.class.getName());
  }

  private String remote() {
    return OtherSchemeFileSystem.SCHEME + "://" + dir.toAbsolutePath();
  }

  @Test
  void partitionsHoldTheFilesRowsInOrderPlainOrGzipped() throws IOException {
    for (boolean gz : new boolean[] {false, true}) {
      IdxFiles.writeTrain(dir, 10, 3, 10, gz, false);
      Block expected = IdxReader.readSplit(dir, true).block();
      for (int p : new int[] {1, 3, 12}) {
        JavaRDD<Block> rdd = IdxOnExecutors.read(sc, remote(), true, p);
        List<Block> parts = rdd.collect();
        assertEquals(Math.min(p, 10), rdd.getNumPartitions(), "at most one partition per image");
        Block all = Blocks.concat(parts);
        assertEquals(9, all.features());
        assertArrayEquals(expected.x(), all.x(), "gzip " + gz + ", " + p + " partitions");
        assertArrayEquals(expected.y(), all.y());
      }
      for (Path f : Files.list(dir).toList()) {
        Files.delete(f);
      }
    }
  }

  @Test
  void badFilesAreClearErrors() throws IOException {
    IOException missing = assertThrows(IOException.class, () -> IdxOnExecutors.read(sc, remote(), true, 2));
    assertTrue(missing.getMessage().contains("no train-images-idx3-ubyte[.gz] in"), missing.getMessage());
    IdxFiles.writeTrain(dir, 10, 3, 9, false, false);        // 10 images, 9 labels: on the driver
    IOException counts = assertThrows(IOException.class, () -> IdxOnExecutors.read(sc, remote(), true, 2));
    assertTrue(counts.getMessage().contains("holds 10 images but"), counts.getMessage());
    IdxFiles.writeTrain(dir, 10, 3, 10, true, true);         // truncated: found by the last partition
    JavaRDD<Block> rdd = IdxOnExecutors.read(sc, remote(), true, 2);
    Exception e = assertThrows(Exception.class, rdd::collect);
    assertTrue(String.valueOf(e.getMessage()).contains("file ends early")
        && e.getMessage().contains("train-images-idx3-ubyte.gz"), String.valueOf(e));
  }
}
