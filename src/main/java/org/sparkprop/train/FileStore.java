package org.sparkprop.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A flat directory of files, as the engine needs it for checkpoints and models. The engine ships
 * {@link LocalFileStore}; the Spark adapter adds one over any Hadoop file system (HDFS, S3A...).
 * Names are plain file names, never paths: a store cannot be made to write outside its directory.
 */
public interface FileStore {

  /** Creates (or truncates) a file for writing. */
  OutputStream create(String name) throws IOException;

  InputStream open(String name) throws IOException;

  boolean exists(String name) throws IOException;

  /** Length in bytes of an existing file. */
  long length(String name) throws IOException;

  /** Renames, replacing {@code to} if it exists; atomic where the file system allows. */
  void rename(String from, String to) throws IOException;

  void delete(String name) throws IOException;

  /** File names in the directory (none if it does not exist). */
  List<String> list() throws IOException;

  /** The full location of {@code name}, for messages. */
  String describe(String name);

  /** The directory itself, for messages. */
  String location();

  /** Rejects names that could escape the directory. */
  static String checkName(String name) {
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".")
        || name.equals("..") || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a plain file name: '" + name + "'");
    }
    return name;
  }
}
