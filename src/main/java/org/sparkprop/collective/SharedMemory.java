package org.sparkprop.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up a {@link SharedMemoryLink} between two connected ranks when they share a host, right
 * after the token handshake; otherwise they keep the plain socket. The lower rank offers:
 *
 * <pre>
 *   lower → higher   capacity (long; 0 = no offer) [, nonce (16 bytes), path length (short), path]
 *   higher → lower   1 if it mapped the file at path and found the nonce in it, else 0
 * </pre>
 * The file (in /dev/shm, owner-only, written through so tmpfs has the pages) holds the nonce, the
 * two directions' byte counters and two regions of {@code capacity} bytes, one per direction. The lower rank deletes it as soon as
 * the answer arrives: the mappings live on, and nothing is left behind in /dev/shm even if a rank
 * is killed later. A path that is missing, or holds another nonce, means another host: the ranks
 * then talk over the socket alone.
 */
final class SharedMemory {

  private static final Logger LOG = LoggerFactory.getLogger(SharedMemory.class);
  static final int HEADER_BYTES = 4096;
  /** Offsets in the header page of the two directions' byte counters (own cache lines). */
  static final int COUNTER_UP = 64;
  static final int COUNTER_DOWN = 128;
  private static final int NONCE_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Where the files go; shared memory is used only where this directory exists. */
  static final Path DIR = Path.of("/dev/shm");

  private SharedMemory() {}

  /** Lower rank: offers a region pair of {@code capacity} bytes each (0: none) over {@code tcp}. */
  static Link offer(TcpLink tcp, int capacity) throws IOException {
    SocketChannel ch = tcp.channel();
    Path file = null;
    MappedByteBuffer map = null;
    byte[] nonce = new byte[NONCE_BYTES];
    if (capacity > 0 && Files.isDirectory(DIR) && Files.isWritable(DIR)) {
      try {
        RANDOM.nextBytes(nonce);
        file = Files.createTempFile(DIR, "sparkprop-collective-", ".shm",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        map = create(file, nonce, HEADER_BYTES + 2L * capacity);
      } catch (IOException | UnsupportedOperationException e) {
        LOG.info("no shared memory with rank {} ({}); using the socket alone", tcp.peerRank(),
            e.getMessage());
        delete(file);
        file = null;
      }
    }
    try {
      if (map == null) {
        Handshake.write(ch, ByteBuffer.allocate(8).putLong(0).flip());
        return tcp;
      }
      byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
      ByteBuffer o = ByteBuffer.allocate(8 + NONCE_BYTES + 2 + path.length);
      o.putLong(capacity).put(nonce).putShort((short) path.length).put(path).flip();
      Handshake.write(ch, o);
      boolean mapped = Handshake.read(ch, 1).get() == 1;
      if (!mapped) {
        unmap(map);
        return tcp;
      }
      return new SharedMemoryLink(tcp, map, capacity, true);
    } finally {
      delete(file);
    }
  }

  /** Higher rank: reads the offer; maps the file when it is there and holds the nonce. */
  static Link accept(TcpLink tcp, boolean allowed) throws IOException {
    SocketChannel ch = tcp.channel();
    long capacity = Handshake.read(ch, 8).getLong();
    if (capacity == 0) {
      return tcp;
    }
    if (capacity < 0 || capacity > (Integer.MAX_VALUE - HEADER_BYTES) / 2) {
      throw new IOException("rank " + tcp.peerRank() + " offered a shared region of " + capacity + " bytes");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    Handshake.read(ch, NONCE_BYTES).get(nonce);
    int len = Handshake.read(ch, 2).getShort() & 0xffff;
    byte[] pathBytes = new byte[len];
    Handshake.read(ch, len).get(pathBytes);
    MappedByteBuffer map = allowed ? open(Path.of(new String(pathBytes, StandardCharsets.UTF_8)),
        nonce, HEADER_BYTES + 2 * capacity) : null;
    Handshake.write(ch, ByteBuffer.wrap(new byte[] {(byte) (map == null ? 0 : 1)}));
    return map == null ? tcp : new SharedMemoryLink(tcp, map, (int) capacity, false);
  }

  private static MappedByteBuffer create(Path file, byte[] nonce, long size) throws IOException {
    try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
      for (long at = 0; at < size; ) {                    // real pages now: a full tmpfs fails here,
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));  // not as a crash later
        at += fc.write(zeros, at);
      }
      fc.write(ByteBuffer.wrap(nonce), 0);
      return fc.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }
  }

  /** The file's mapping if it is the one offered (its nonce matches), else null. */
  private static MappedByteBuffer open(Path file, byte[] nonce, long size) {
    try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (fc.size() != size) {
        return null;
      }
      MappedByteBuffer map = fc.map(FileChannel.MapMode.READ_WRITE, 0, size);
      byte[] found = new byte[NONCE_BYTES];
      map.get(0, found);
      if (Arrays.equals(found, nonce)) {
        return map;
      }
      unmap(map);
      return null;
    } catch (IOException | RuntimeException e) {
      return null;                                        // another host's path, or not ours
    }
  }

  private static void delete(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", file, e.getMessage());
    }
  }

  /** Releases a mapping now rather than at some later GC (sun.misc.Unsafe, as Spark does). */
  static void unmap(MappedByteBuffer map) {
    try {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      ((sun.misc.Unsafe) f.get(null)).invokeCleaner(map);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("could not unmap a shared region now ({}); the GC will", e.toString());
    }
  }
}
