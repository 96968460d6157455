package org.sparkprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.testing.IdxFiles;

class ReadersTest {

  @TempDir
  Path dir;

  /** Writes a tiny IDX pair: 3 images of 2×2 pixels. */
  private void writeIdx(boolean gzip, int labelCount, boolean truncate) throws IOException {
    IdxFiles.writeTrain(dir, 3, 2, labelCount, gzip, truncate);
  }

  @Test
  void idxPlainAndGzipped() throws IOException {
    for (boolean gz : new boolean[] {false, true}) {
      writeIdx(gz, 3, false);
      Block b = IdxReader.readSplit(dir, true).block();
      assertEquals(3, b.rows());
      assertEquals(4, b.features());
      assertEquals(20 / 255f, b.x()[1], 1e-7);
      assertArrayEquals(new float[] {0, 1, 2}, b.y());
      for (Path p : Files.list(dir).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void idxTruncatedOrMismatchedIsAClearError() throws IOException {
    writeIdx(false, 3, true);
    IOException e = assertThrows(IOException.class, () -> IdxReader.readSplit(dir, true));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    writeIdx(false, 4, false);
    e = assertThrows(IOException.class, () -> IdxReader.readSplit(dir, true));
    assertTrue(e.getMessage().contains("holds 3 images but"), e.getMessage());
    e = assertThrows(IOException.class, () -> IdxReader.readSplit(dir, false));
    assertTrue(e.getMessage().contains("no t10k-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void libsvmDensifiesAndInfersTheWidth() throws IOException {
    Path f = dir.resolve("a.libsvm");
    Files.writeString(f, "1 1:0.5 3:2\n# a comment\n\n0 2:-1 # trailing comment\n");
    Dataset d = LibsvmReader.read(f, 0, BadRows.ERROR);
    Block b = d.block();
    assertEquals(2, b.rows());
    assertEquals(3, b.features());
    assertArrayEquals(new float[] {0.5f, 0, 2, 0, -1, 0}, b.x());
    assertArrayEquals(new float[] {1, 0}, b.y());
    assertEquals(5, LibsvmReader.read(f, 5, BadRows.ERROR).block().features());
  }

  @Test
  void libsvmBadRowsErrorWithFileAndLineOrAreDroppedAndCounted() throws IOException {
    Path f = dir.resolve("bad.libsvm");
    Files.writeString(f, "1 1:0.5\n0 3:1 2:4\n1 0:1\nx 1:1\n1 1:nan\n0 2:1\n");
    IOException e = assertThrows(IOException.class, () -> LibsvmReader.read(f, 0, BadRows.ERROR));
    assertTrue(e.getMessage().contains("bad.libsvm:2: index 2 does not increase"), e.getMessage());
    Dataset d = LibsvmReader.read(f, 0, BadRows.DROP);
    assertEquals(2, d.block().rows());
    assertEquals(4, d.droppedRows());
    e = assertThrows(IOException.class, () -> LibsvmReader.read(f, 1, BadRows.ERROR));
    assertTrue(e.getMessage().contains(":2:"), e.getMessage());
  }

  @Test
  void csvWithStringLabelsByNameKeepsTheMapping() throws IOException {
    Path f = dir.resolve("iris.csv");
    Files.writeString(f, "a,b,species\n1,2,virginica\n3,4,setosa\n5,6,virginica\n");
    Dataset d = CsvReader.read(f, new CsvReader.Options("species", true, ',', true), BadRows.ERROR);
    assertEquals(List.of("setosa", "virginica"), d.classNames());
    assertArrayEquals(new float[] {1, 0, 1}, d.block().y());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.block().x());
    Path g = dir.resolve("reg.csv");
    Files.writeString(g, "1.5,2,3\n3,4,5\n");
    Dataset byIndex = CsvReader.read(g, new CsvReader.Options("0", false, ',', false), BadRows.ERROR);
    assertNull(byIndex.classNames());
    assertArrayEquals(new float[] {1.5f, 3}, byIndex.block().y());
    assertArrayEquals(new float[] {2, 3, 4, 5}, byIndex.block().x());
    IOException e = assertThrows(IOException.class,
        () -> CsvReader.read(f, new CsvReader.Options("species", true, ',', false), BadRows.ERROR));
    assertTrue(e.getMessage().contains("regression labels must be numbers"), e.getMessage());
  }

  @Test
  void csvBadRows() throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "1,2,0\n3,x,1\n4,5\n6,7,1\n");
    IOException e = assertThrows(IOException.class,
        () -> CsvReader.read(f, new CsvReader.Options("2", false, ',', true), BadRows.ERROR));
    assertTrue(e.getMessage().contains("bad.csv:2: column 1 is 'x', not a number"), e.getMessage());
    Dataset d = CsvReader.read(f, new CsvReader.Options("2", false, ',', true), BadRows.DROP);
    assertEquals(2, d.block().rows());
    assertEquals(2, d.droppedRows());
    e = assertThrows(IOException.class,
        () -> CsvReader.read(f, new CsvReader.Options("label", true, ',', true), BadRows.ERROR));
    assertTrue(e.getMessage().contains("no column named 'label'"), e.getMessage());
  }

  @Test
  void blocksRefuseNonFiniteValuesAndBadWeights() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Block(2, 2, 1, new float[] {1, 2, Float.NaN, 4}, new float[] {0, 1}, null, "t"));
    assertTrue(e.getMessage().contains("row 1, feature 0 is NaN"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Block(1, 1, 1, new float[] {1}, new float[] {0}, new float[] {-1}, "t"));
    assertTrue(e.getMessage().contains("weight -1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Block(2, 2, 1, new float[3], new float[2], null, "t"));
    assertTrue(e.getMessage().contains("do not match"), e.getMessage());
  }

  /** Issue 12: one text label among numbers made text classes, "10" sorted before "2". */
  @Test
  void csvLabelsMixingNumbersAndTextAreRefused() throws IOException {
    Path f = dir.resolve("mixed.csv");
    Files.writeString(f, "a,b,label\n1,2,2\n3,4,10\n5,6,two\n7,8,2\n");
    IOException e = assertThrows(IOException.class,
        () -> CsvReader.read(f, new CsvReader.Options("label", true, ',', true), BadRows.ERROR));
    assertTrue(e.getMessage().contains("mixes numbers and text") && e.getMessage().contains("'two'"),
        e.getMessage());
    Files.writeString(f, "a,b,label\n1,2,2\n3,4,10\n7,8,2\n");
    Dataset ok = CsvReader.read(f, new CsvReader.Options("label", true, ',', true), BadRows.ERROR);
    assertEquals(10f, ok.block().y()[1]);
  }
}
