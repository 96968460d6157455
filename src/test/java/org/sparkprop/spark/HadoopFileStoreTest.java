package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopFileStoreTest {

  @TempDir
  Path dir;

  /**
   * Issue 12: rename deleted the target first, a moment with neither file. It now replaces the
   * target in one step (FileContext's OVERWRITE rename). The moment itself cannot be observed
   * here; this checks that the one-step replace works on file:, and that written bytes come back.
   */
  @Test
  void renameReplacesAnExistingTargetAndWritesComeBackWhole() throws Exception {
    HadoopFileStore store = new HadoopFileStore(dir.toUri().toString(), new Configuration());
    write(store, "model.bin", new byte[] {1, 2, 3});
    write(store, "model.bin.tmp", new byte[] {4, 5, 6, 7});
    store.rename("model.bin.tmp", "model.bin");
    assertEquals(List.of("model.bin"), store.list());
    try (InputStream in = store.open("model.bin")) {
      assertArrayEquals(new byte[] {4, 5, 6, 7}, in.readAllBytes());
    }
    store.rename("model.bin", "fresh.bin");                  // no target: a plain rename
    assertEquals(List.of("fresh.bin"), store.list());
  }

  private static void write(HadoopFileStore store, String name, byte[] b) throws Exception {
    try (OutputStream out = store.create(name)) {
      out.write(b);
    }
  }
}
