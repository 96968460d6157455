package org.sparkprop.data;

import java.util.List;

/**
 * What a reader returns: the packed rows, where they came from, how many malformed rows were
 * dropped (always 0 under {@link BadRows#ERROR}), and for string class labels the mapping from
 * class index to the original label.
 */
public record Dataset(Block block, String source, long droppedRows, List<String> classNames) {

  public Dataset {
    classNames = classNames == null ? null : List.copyOf(classNames);
  }

  public Dataset(Block block, String source) {
    this(block, source, 0, null);
  }
}
