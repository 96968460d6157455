package org.sparkprop.linalg;

/**
 * The one matrix-multiply kernel the engine needs, in <b>row-major</b> terms.
 *
 * <pre>
 *   C := alpha · op(A) · op(B) + beta · C
 *   op(A) is (m × k), op(B) is (k × n), C is (m × n)
 *   op(X) = X or Xᵀ; every matrix is row-major inside a float[] starting at its offset,
 *   with leading dimension ld = the stored row length (columns of X as stored, not of op(X)).
 * </pre>
 *
 * <p>Two implementations: {@link NetlibBlas} (native OpenBLAS through {@code dev.ludovic.netlib},
 * or its Java fallback) for speed, and {@link NaiveBlas}, plain loops, as the obviously-correct
 * reference the tests compare against. Obtain the fast one with {@link Blas#fast()}.
 */
public interface Blas {

  /**
   * Row-major GEMM. Reads {@code a} and {@code b}; reads (unless beta = 0) and writes {@code c}.
   * Implementations never allocate.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k,
            float alpha, float[] a, int offA, int lda,
            float[] b, int offB, int ldb,
            float beta, float[] c, int offC, int ldc);

  /** A short name for logs and benchmarks, e.g. {@code "native:JNIBLAS(openblas-pthread)"}. */
  String name();

  /** True when the kernel is a native library (OpenBLAS), false for a Java fallback. */
  boolean isNative();

  /** The fast backend of this JVM, chosen once; logs which one runs the first time. */
  static Blas fast() {
    return NetlibBlas.instance();
  }
}
