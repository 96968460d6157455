package org.sparkprop.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads LIBSVM / SVMlight text: {@code label index:value index:value ...} with 1-based, strictly
 * increasing indices; '#' starts a comment. Sparse rows are densified into a block (absent features
 * are 0). The feature count is given, or inferred as the largest index seen.
 *
 * <p>A row is malformed when its label or a value is not a finite number, an index is not a positive
 * integer, indices do not increase, or an index exceeds the given feature count.
 */
public final class LibsvmReader {

  private LibsvmReader() {}

  /**
   * @param numFeatures the feature count, or 0 to infer it from the data
   */
  public static Dataset read(Path file, int numFeatures, BadRows policy) throws IOException {
    List<float[]> labels = new ArrayList<>();
    List<int[]> indices = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    TextRows bad = new TextRows(file.toString(), policy);
    int maxIndex = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long lineNo = 0;
      rows:
      while ((line = r.readLine()) != null) {
        lineNo++;
        int hash = line.indexOf('#');
        String s = (hash >= 0 ? line.substring(0, hash) : line).trim();
        if (s.isEmpty()) {
          continue;
        }
        String[] tok = s.split("\\s+");
        float label;
        try {
          label = Float.parseFloat(tok[0]);
        } catch (NumberFormatException e) {
          bad.bad(lineNo, "label '" + tok[0] + "' is not a number");
          continue;
        }
        if (!Float.isFinite(label)) {
          bad.bad(lineNo, "label is " + label);
          continue;
        }
        int[] idx = new int[tok.length - 1];
        float[] val = new float[tok.length - 1];
        int last = 0;
        for (int i = 1; i < tok.length; i++) {
          int colon = tok[i].indexOf(':');
          if (colon <= 0) {
            bad.bad(lineNo, "'" + tok[i] + "' is not index:value");
            continue rows;
          }
          int index;
          float v;
          try {
            index = Integer.parseInt(tok[i].substring(0, colon));
            v = Float.parseFloat(tok[i].substring(colon + 1));
          } catch (NumberFormatException e) {
            bad.bad(lineNo, "'" + tok[i] + "' is not index:value with an integer index and a number");
            continue rows;
          }
          if (index < 1) {
            bad.bad(lineNo, "index " + index + " is not 1-based (indices start at 1)");
            continue rows;
          }
          if (index <= last) {
            bad.bad(lineNo, "index " + index + " does not increase (previous " + last + ")");
            continue rows;
          }
          if (numFeatures > 0 && index > numFeatures) {
            bad.bad(lineNo, "index " + index + " exceeds the feature count " + numFeatures);
            continue rows;
          }
          if (!Float.isFinite(v)) {
            bad.bad(lineNo, "feature " + index + " is " + v);
            continue rows;
          }
          idx[i - 1] = index;
          val[i - 1] = v;
          last = index;
        }
        maxIndex = Math.max(maxIndex, last);
        labels.add(new float[] {label});
        indices.add(idx);
        values.add(val);
      }
    }
    int features = numFeatures > 0 ? numFeatures : maxIndex;
    if (features == 0) {
      throw new IOException(file + ": no features found; give the feature count or check the file");
    }
    int n = labels.size();
    long cells = (long) n * features;
    if (cells > Integer.MAX_VALUE - 8) {
      throw new IOException(file + ": " + n + " rows × " + features + " features is too large to "
          + "densify in one block (largest index " + maxIndex + "); give numFeatures or read it "
          + "through Spark (libsvm: on a distributed path)");
    }
    float[] x = new float[(int) cells];
    float[] y = new float[n];
    for (int r = 0; r < n; r++) {
      y[r] = labels.get(r)[0];
      int[] idx = indices.get(r);
      float[] val = values.get(r);
      for (int i = 0; i < idx.length; i++) {
        x[r * features + idx[i] - 1] = val[i];
      }
    }
    return new Dataset(new Block(n, features, 1, x, y, null, file.toString()), file.toString(),
        bad.dropped(), null);
  }
}
