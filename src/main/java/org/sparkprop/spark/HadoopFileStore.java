package org.sparkprop.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkprop.train.FileStore;

/**
 * A {@link FileStore} over any Hadoop file system (file:, hdfs:, s3a:...), for checkpoints and
 * models written from the driver. Renames are atomic on HDFS and local disks; on object stores
 * (S3) they are copies, so a crash mid-write may leave a temporary file, never a half-written
 * checkpoint under the real name.
 */
public final class HadoopFileStore implements FileStore {

  private final Path dir;
  private final FileSystem fs;
  private final Configuration conf;

  public HadoopFileStore(String dir, Configuration conf) throws IOException {
    this.conf = conf;
    this.dir = new Path(dir);
    FileSystem f = this.dir.getFileSystem(conf);
    // The checksummed local file system leaves .crc files beside ours; our files carry a CRC already.
    this.fs = f instanceof LocalFileSystem local ? local.getRawFileSystem() : f;
  }

  private Path file(String name) {
    return new Path(dir, FileStore.checkName(name));
  }

  /** A stream whose close() syncs the bytes to the file system first (hsync). */
  @Override
  public OutputStream create(String name) throws IOException {
    fs.mkdirs(dir);
    org.apache.hadoop.fs.FSDataOutputStream stream = fs.create(file(name), true);
    return new java.io.FilterOutputStream(stream) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        try {
          stream.hsync();                           // a crash then cannot leave it empty
        } finally {
          stream.close();
        }
      }
    };
  }

  @Override
  public InputStream open(String name) throws IOException {
    return fs.open(file(name));
  }

  @Override
  public boolean exists(String name) throws IOException {
    return fs.exists(file(name));
  }

  @Override
  public long length(String name) throws IOException {
    return fs.getFileStatus(file(name)).getLen();
  }

  @Override
  public void rename(String from, String to) throws IOException {
    Path target = file(to);
    if (fs.exists(target)) {
      // Replace in one step where the file system can (HDFS, local): never a moment without it.
      try {
        org.apache.hadoop.fs.FileContext.getFileContext(fs.getUri(), conf)
            .rename(file(from), target, org.apache.hadoop.fs.Options.Rename.OVERWRITE);
        return;
      } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
        fs.delete(target, false);                   // object stores: no atomic replace exists
      }
    }
    if (!fs.rename(file(from), target)) {
      throw new IOException("could not rename " + file(from) + " to " + target);
    }
  }

  @Override
  public void delete(String name) throws IOException {
    fs.delete(file(name), false);
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    if (!fs.exists(dir)) {
      return names;
    }
    for (FileStatus s : fs.listStatus(dir)) {
      names.add(s.getPath().getName());
    }
    names.sort(null);
    return names;
  }

  @Override
  public String describe(String name) {
    return file(name).toString();
  }

  @Override
  public String location() {
    return fs.makeQualified(dir).toString();
  }
}
