package org.sparkprop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Sparkprop's binary container for weights and checkpoints: a JSON header and named float32
 * arrays, sealed by a checksum. No Java serialization: reading it never runs code from the file.
 *
 * <pre>
 *   "SPARKPRP"        8 bytes magic
 *   version           int32 (big-endian)
 *   headerLength      int32, then the header: UTF-8 JSON {"kind":…, "arrays":[{"name","length"}…], …}
 *   arrays            each as length·4 bytes of little-endian float32, in header order
 *   crc32             int64 over every preceding byte
 * </pre>
 * Reading checks magic, version, declared sizes against the actual file size (so a corrupt header
 * cannot make us allocate gigabytes) and the checksum, and fails with a message naming the file.
 */
public final class ArrayFile {

  public static final int VERSION = 1;
  private static final byte[] MAGIC = "SPARKPRP".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The decoded content: the header (without the array table) and the arrays by name. */
  public record Content(ObjectNode header, Map<String, float[]> arrays) {
    public float[] array(String name, String where) throws IOException {
      float[] a = arrays.get(name);
      if (a == null) {
        throw new IOException(where + ": no array '" + name + "' (has " + arrays.keySet() + ")");
      }
      return a;
    }
  }

  private ArrayFile() {}

  public static ObjectMapper json() {
    return JSON;
  }

  /** Writes header and arrays to {@code out} (not closed). */
  public static void write(OutputStream out, ObjectNode header, Map<String, float[]> arrays)
      throws IOException {
    ObjectNode h = header.deepCopy();
    ArrayNode table = h.putArray("arrays");
    for (Map.Entry<String, float[]> e : arrays.entrySet()) {
      table.addObject().put("name", e.getKey()).put("length", e.getValue().length);
    }
    byte[] headerBytes = JSON.writeValueAsBytes(h);
    CRC32 crc = new CRC32();
    ByteBuffer prefix = ByteBuffer.allocate(MAGIC.length + 8).order(ByteOrder.BIG_ENDIAN);
    prefix.put(MAGIC).putInt(VERSION).putInt(headerBytes.length);
    writeChunk(out, crc, prefix.array(), prefix.position());
    writeChunk(out, crc, headerBytes, headerBytes.length);
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] a : arrays.values()) {
      int i = 0;
      while (i < a.length) {
        buf.clear();
        int n = Math.min(a.length - i, buf.capacity() / 4);
        buf.asFloatBuffer().put(a, i, n);
        writeChunk(out, crc, buf.array(), n * 4);
        i += n;
      }
    }
    ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(crc.getValue());
    out.write(tail.array());
    out.flush();
  }

  private static void writeChunk(OutputStream out, CRC32 crc, byte[] b, int n) throws IOException {
    crc.update(b, 0, n);
    out.write(b, 0, n);
  }

  /**
   * Reads a container of at most {@code size} bytes (the file's length) from {@code in}.
   * {@code where} names the file in errors.
   */
  public static Content read(InputStream in, long size, String where) throws IOException {
    if (size < MAGIC.length + 16) {
      throw new IOException(where + " is too short (" + size + " bytes) to be a Sparkprop file: "
          + "truncated or not a Sparkprop file");
    }
    if (size > Integer.MAX_VALUE - 64) {
      throw new IOException(where + " is too large (" + size + " bytes)");
    }
    byte[] all = in.readNBytes((int) size);
    if (all.length != size) {
      throw new IOException(where + " is truncated: expected " + size + " bytes, read " + all.length);
    }
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IOException(where + " is not a Sparkprop weights or checkpoint file (bad magic)");
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 8);
    long stored = ByteBuffer.wrap(all, all.length - 8, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    if (stored != crc.getValue()) {
      throw new IOException(where + " is corrupt or truncated (checksum mismatch); it was not loaded");
    }
    int version = b.getInt();
    if (version != VERSION) {
      throw new IOException(where + " has format version " + version + "; this Sparkprop reads "
          + "version " + VERSION);
    }
    int headerLength = b.getInt();
    if (headerLength < 2 || headerLength > all.length - b.position() - 8) {
      throw new IOException(where + " has a bad header length " + headerLength);
    }
    JsonNode parsed = JSON.readTree(new String(all, b.position(), headerLength, StandardCharsets.UTF_8));
    if (!(parsed instanceof ObjectNode header)) {
      throw new IOException(where + " has a header that is not a JSON object");
    }
    b.position(b.position() + headerLength);
    JsonNode table = header.remove("arrays");
    if (table == null || !table.isArray()) {
      throw new IOException(where + " has no array table");
    }
    long remaining = all.length - 8L - b.position();
    long declared = 0;
    java.util.Set<String> names = new java.util.HashSet<>();
    for (JsonNode e : table) {
      long len = e.path("length").asLong(-1);
      if (!e.path("length").canConvertToLong() || len < 0 || len > Integer.MAX_VALUE / 4) {
        throw new IOException(where + " declares an invalid array length " + e.path("length"));
      }
      if (!e.path("name").isTextual() || !names.add(e.path("name").asText())) {
        throw new IOException(where + " has a missing or repeated array name " + e.path("name"));
      }
      declared += len * 4;
    }
    if (declared != remaining) {
      throw new IOException(where + " declares " + declared + " bytes of arrays but holds " + remaining);
    }
    Map<String, float[]> arrays = new LinkedHashMap<>();
    ByteBuffer le = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int pos = b.position();
    for (JsonNode e : table) {
      int len = e.get("length").asInt();
      float[] a = new float[len];
      le.position(pos);
      le.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
      pos += len * 4;
      arrays.put(e.get("name").asText(), a);
    }
    return new Content(header, arrays);
  }

  /** Writes to {@code store} atomically: to a temporary name, then renamed over {@code name}. */
  public static void writeAtomically(FileStore store, String name, ObjectNode header,
                                     Map<String, float[]> arrays) throws IOException {
    String tmp = "." + name + ".tmp-" + Long.toHexString(System.nanoTime());
    try (OutputStream out = new java.io.BufferedOutputStream(store.create(tmp), 1 << 16)) {
      write(out, header, arrays);
    } catch (IOException | RuntimeException e) {
      try {
        store.delete(tmp);
      } catch (IOException ignored) {
        // the temporary file is harmless: readers never look at names starting with '.'
      }
      throw e;
    }
    store.rename(tmp, name);
  }

  /** Reads {@code name} from {@code store}. */
  public static Content read(FileStore store, String name) throws IOException {
    if (!store.exists(name)) {
      throw new IOException(store.describe(name) + " does not exist");
    }
    long size = store.length(name);
    try (InputStream in = store.open(name)) {
      return read(in, size, store.describe(name));
    }
  }

  /** For tests: the bytes {@link #write} produces. */
  static byte[] bytes(ObjectNode header, Map<String, float[]> arrays) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    write(bos, header, arrays);
    return bos.toByteArray();
  }
}
