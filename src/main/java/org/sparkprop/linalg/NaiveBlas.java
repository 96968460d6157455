package org.sparkprop.linalg;

/**
 * Reference GEMM: the textbook triple loop, accumulated in double, for tests only.
 * Slow (~1 GFLOP/s) and obviously correct.
 */
public final class NaiveBlas implements Blas {

  public static final NaiveBlas INSTANCE = new NaiveBlas();

  private NaiveBlas() {}

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
                   float alpha, float[] a, int offA, int lda,
                   float[] b, int offB, int ldb,
                   float beta, float[] c, int offC, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          float aip = transA ? a[offA + p * lda + i] : a[offA + i * lda + p];
          float bpj = transB ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
          sum += (double) aip * bpj;
        }
        int ij = offC + i * ldc + j;
        float old = beta == 0f ? 0f : beta * c[ij];   // beta = 0 ignores C, as BLAS does
        c[ij] = (float) (alpha * sum) + old;
      }
    }
  }

  @Override
  public String name() {
    return "naive-java";
  }

  @Override
  public boolean isNative() {
    return false;
  }
}
