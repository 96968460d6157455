package org.sparkprop.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads delimited text with one label column (by header name or 0-based index) and numeric
 * feature columns (every other column). Rows split on the delimiter; quoted fields are not
 * supported (use Spark's CSV reader through the DataFrame API for those).
 *
 * <p>String labels (any label that is not a number) are mapped to class indices in sorted order,
 * and the mapping is returned with the data so predictions can be turned back into names. A label
 * column that mixes numbers and text is refused (one stray value must not turn the classes 2 and 10
 * into the names "10" and "2"). A row is malformed when it has the wrong number of fields or a
 * feature is not a finite number.
 */
public final class CsvReader {

  /**
   * @param labelColumn header name or 0-based index of the label column
   * @param header whether the first line names the columns
   * @param delimiter field separator, e.g. ','
   * @param classification map string labels to class indices (regression labels must be numbers)
   */
  public record Options(String labelColumn, boolean header, char delimiter, boolean classification) {}

  private CsvReader() {}

  public static Dataset read(Path file, Options opt, BadRows policy) throws IOException {
    TextRows bad = new TextRows(file.toString(), policy);
    List<float[]> rows = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    String delim = java.util.regex.Pattern.quote(String.valueOf(opt.delimiter()));
    int width = -1;
    int labelCol = -1;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(delim, -1);
        if (width < 0) {
          width = f.length;
          labelCol = resolveLabel(opt, f, file);
          if (width < 2) {
            throw new IOException(file + ":" + lineNo + ": only " + width + " column(s); need a label "
                + "and at least one feature (is the delimiter '" + opt.delimiter() + "' right?)");
          }
          if (opt.header()) {
            continue;
          }
        }
        if (f.length != width) {
          bad.bad(lineNo, f.length + " fields, expected " + width);
          continue;
        }
        float[] x = new float[width - 1];
        boolean ok = true;
        for (int c = 0, k = 0; c < width && ok; c++) {
          if (c == labelCol) {
            continue;
          }
          String v = f[c].trim();
          try {
            x[k] = Float.parseFloat(v);
          } catch (NumberFormatException e) {
            bad.bad(lineNo, "column " + c + " is '" + v + "', not a number");
            ok = false;
            break;
          }
          if (!Float.isFinite(x[k])) {
            bad.bad(lineNo, "column " + c + " is " + x[k]);
            ok = false;
            break;
          }
          k++;
        }
        String label = f[labelCol].trim();
        if (ok && label.isEmpty()) {
          bad.bad(lineNo, "empty label");
          ok = false;
        }
        if (ok) {
          rows.add(x);
          labels.add(label);
        }
      }
    }
    if (width < 0) {
      throw new IOException(file + " is empty");
    }
    int n = rows.size();
    float[] y = new float[n];
    List<String> classNames = null;
    long numbers = labels.stream().filter(CsvReader::isNumber).count();
    boolean numeric = numbers == n;
    if (numbers > 0 && !numeric) {       // text classes would sort as strings: "10" before "2"
      String text = labels.stream().filter(l -> !isNumber(l)).findFirst().orElse("");
      String number = labels.stream().filter(CsvReader::isNumber).findFirst().orElse("");
      throw new IOException(file + ": the label column mixes numbers and text (" + numbers + " of "
          + n + " labels are numbers, such as '" + number + "', but not '" + text + "'); fix or "
          + "drop the rows with text labels, or make every label a name");
    }
    if (numeric) {
      for (int i = 0; i < n; i++) {
        y[i] = Float.parseFloat(labels.get(i));
      }
    } else {
      if (!opt.classification()) {
        String first = labels.stream().filter(l -> !isNumber(l)).findFirst().orElse("");
        throw new IOException(file + ": regression labels must be numbers, found '" + first + "'");
      }
      classNames = new ArrayList<>(new TreeSet<>(labels));
      for (int i = 0; i < n; i++) {
        y[i] = classNames.indexOf(labels.get(i));
      }
    }
    if ((long) n * (width - 1) > Integer.MAX_VALUE - 8) {
      throw new IOException(file + ": " + n + " rows × " + (width - 1) + " features is too large for "
          + "one block");
    }
    float[] x = new float[n * (width - 1)];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows.get(i), 0, x, i * (width - 1), width - 1);
    }
    return new Dataset(new Block(n, width - 1, 1, x, y, null, file.toString()), file.toString(),
        bad.dropped(), classNames);
  }

  private static int resolveLabel(Options opt, String[] firstRow, Path file) throws IOException {
    String col = opt.labelColumn().trim();
    if (opt.header()) {
      for (int i = 0; i < firstRow.length; i++) {
        if (firstRow[i].trim().equals(col)) {
          return i;
        }
      }
    }
    try {
      int i = Integer.parseInt(col);
      if (i < 0 || i >= firstRow.length) {
        throw new IOException(file + ": label column " + i + " is out of range (0.."
            + (firstRow.length - 1) + ")");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IOException(file + ": no column named '" + col + "'"
          + (opt.header() ? " in the header" : " (the file has no header; give a 0-based index)"));
    }
  }

  private static boolean isNumber(String s) {
    try {
      return Float.isFinite(Float.parseFloat(s));
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
