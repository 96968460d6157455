package org.sparkprop.data;

import java.util.Locale;

/** What readers do with a malformed row. */
public enum BadRows {
  /** Stop with an error naming the file, the line and the problem (the default). */
  ERROR,
  /** Skip the row, count it, and report the count when reading ends. */
  DROP;

  public static BadRows parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad-rows policy must be 'error' or 'drop', got '" + s + "'");
    }
  }
}
