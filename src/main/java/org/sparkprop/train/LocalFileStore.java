package org.sparkprop.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** A {@link FileStore} over a directory of the local file system. */
public final class LocalFileStore implements FileStore {

  private final Path dir;

  public LocalFileStore(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  private Path file(String name) {
    return dir.resolve(FileStore.checkName(name));
  }

  /** A buffered stream whose close() forces the bytes to the disk first (fsync). */
  @Override
  public OutputStream create(String name) throws IOException {
    Files.createDirectories(dir);
    java.io.FileOutputStream file = new java.io.FileOutputStream(file(name).toFile());
    return new java.io.BufferedOutputStream(file, 1 << 16) {
      @Override
      public void close() throws IOException {
        try {
          flush();
          file.getFD().sync();                     // a power loss then cannot leave it empty
        } finally {
          super.close();
        }
      }
    };
  }

  @Override
  public InputStream open(String name) throws IOException {
    return Files.newInputStream(file(name));
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(file(name));
  }

  @Override
  public long length(String name) throws IOException {
    return Files.size(file(name));
  }

  @Override
  public void rename(String from, String to) throws IOException {
    try {
      Files.move(file(from), file(to), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(file(from), file(to), StandardCopyOption.REPLACE_EXISTING);
    }
    try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir,
        java.nio.file.StandardOpenOption.READ)) {
      d.force(true);                                // the rename itself reaches the disk
    } catch (IOException | UnsupportedOperationException ignored) {
      // a directory that cannot be opened for sync (some file systems): the rename still happened
    }
  }

  @Override
  public void delete(String name) throws IOException {
    Files.deleteIfExists(file(name));
  }

  @Override
  public List<String> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public String describe(String name) {
    return file(name).toString();
  }
}
