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

  @Override
  public OutputStream create(String name) throws IOException {
    Files.createDirectories(dir);
    return Files.newOutputStream(file(name));
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
