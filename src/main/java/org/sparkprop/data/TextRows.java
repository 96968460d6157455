package org.sparkprop.data;

import java.io.IOException;

/** Shared handling of a bad row in text readers: throw with file and line, or count it. */
final class TextRows {

  private final String file;
  private final BadRows policy;
  private long dropped;

  TextRows(String file, BadRows policy) {
    this.file = file;
    this.policy = policy;
  }

  /** Reports a malformed line; returns normally only when the policy is DROP. */
  void bad(long line, String problem) throws IOException {
    if (policy == BadRows.ERROR) {
      throw new IOException(file + ":" + line + ": " + problem
          + " (to skip malformed rows instead, use bad-rows policy 'drop')");
    }
    dropped++;
  }

  long dropped() {
    return dropped;
  }
}
