package org.sparkprop.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GEMM through {@code dev.ludovic.netlib} (shipped with spark-mllib), which loads the system's
 * {@code libblas.so.3} through JNI; on Debian with {@code libopenblas0-pthread} that is OpenBLAS
 * (~74 GFLOP/s single-thread sgemm at MLP shapes on the build machine). Without a native BLAS netlib
 * falls back to its Java Vector-API kernels (~3× slower) or plain Java (~20× slower); we log one clear
 * warning in that case.
 *
 * <p>Netlib speaks Fortran (column-major). A row-major matrix is the column-major view of its
 * transpose, so row-major {@code C = op(A)·op(B)} is column-major {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}: we swap
 * the operands and m/n and keep the transpose flags.
 *
 * <p>Set {@code OPENBLAS_NUM_THREADS=1}: Sparkprop parallelises over batches and partitions, and
 * OpenBLAS threads on top of that oversubscribe the cores.
 */
public final class NetlibBlas implements Blas {

  private static final Logger LOG = LoggerFactory.getLogger(NetlibBlas.class);
  private static volatile NetlibBlas instance;

  private final BLAS blas;
  private final String name;

  private NetlibBlas(BLAS blas, String name) {
    this.blas = blas;
    this.name = name;
  }

  /** The process-wide instance; the first call picks the backend and logs it once. */
  public static NetlibBlas instance() {
    NetlibBlas b = instance;
    if (b == null) {
      synchronized (NetlibBlas.class) {
        b = instance;
        if (b == null) {
          b = create();
          instance = b;
        }
      }
    }
    return b;
  }

  private static NetlibBlas create() {
    BLAS blas = BLAS.getInstance();
    boolean nativeLib = blas instanceof NativeBLAS;
    String lib = nativeLib ? loadedBlasLibrary() : "";
    String name = (nativeLib ? "native:" : "java:") + blas.getClass().getSimpleName()
        + (lib.isEmpty() ? "" : "(" + lib + ")");
    if (nativeLib) {
      LOG.info("BLAS backend: {}", name);
      String threads = System.getenv("OPENBLAS_NUM_THREADS");
      if (!"1".equals(threads)) {
        LOG.info("OPENBLAS_NUM_THREADS is {}; Sparkprop parallelises itself, set it to 1 to avoid "
            + "oversubscribing the cores", threads == null ? "unset" : threads);
      }
    } else {
      LOG.warn("BLAS backend: {} -- no native BLAS found, training runs several times slower. "
          + "Install OpenBLAS (Debian: apt-get install libopenblas0-pthread, or run scripts/setup.sh)",
          name);
    }
    return new NetlibBlas(blas, name);
  }

  /** Which libblas the JVM mapped, read from /proc/self/maps (Linux); empty when unknown. */
  private static String loadedBlasLibrary() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return "";
    }
    try (Stream<String> lines = Files.lines(maps)) {
      return lines.filter(l -> l.contains("blas") && l.contains(".so"))
          .map(l -> l.substring(l.lastIndexOf('/') + 1))
          .filter(f -> !f.startsWith("libnetlib"))
          .findFirst().orElse("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
                   float alpha, float[] a, int offA, int lda,
                   float[] b, int offB, int ldb,
                   float beta, float[] c, int offC, int ldc) {
    // Row-major C(m×n) = op(A)·op(B)  <=>  column-major Cᵀ(n×m) = op(B)ᵀ·op(A)ᵀ.
    blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k,
        alpha, b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isNative() {
    return name.startsWith("native:");
  }
}
