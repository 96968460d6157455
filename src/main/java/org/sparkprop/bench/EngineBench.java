package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.sparkprop.linalg.Blas;
import org.sparkprop.linalg.Rng;
import org.sparkprop.nn.Init;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.Workspace;

/**
 * {@code scripts/bench.sh engine}: one training step (forward + backward, no update) of
 * 784-256relu-128relu-10 / cross-entropy at batch 128 on this thread, against the same GEMM calls
 * alone on the same backend, measured in one run. Prints one JSON line.
 *
 * <pre>
 *   ratio_to_sgemm = sgemm_only_ms / ms_per_step      (1.0 = the step costs no more than its GEMMs)
 *   gflops         = exact GEMM FLOPs of the step / time of the step
 *   alloc_bytes_per_step = thread-allocated bytes over the timed steps / steps (steady state)
 * </pre>
 */
public final class EngineBench {

  static final String SPEC = "784-256relu-128relu-10";
  static final int BATCH = Integer.getInteger("engine.batch", 128);   // -Dengine.batch=64: a thread's share

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    Network net = Network.of(SPEC, "cross_entropy");
    Blas blas = Blas.fast();
    float[] params = net.initParams(Init.HE, 1);
    float[] state = net.initState();
    float[] grad = new float[net.paramCount()];
    Workspace ws = net.newWorkspace(BATCH);
    Rng rng = new Rng(2);
    for (int i = 0; i < BATCH * 784; i++) {
      ws.input()[i] = rng.nextFloat();
    }
    for (int r = 0; r < BATCH; r++) {
      ws.labels()[r] = rng.nextInt(10);
    }
    GemmOnly gemms = new GemmOnly(blas);

    // Warm up both paths (JIT, caches), then alternate timed rounds and take medians.
    for (int i = 0; i < 300; i++) {
      step(net, params, state, ws, grad);
      gemms.run();
    }
    double[] stepMs = new double[rounds];
    double[] gemmMs = new double[rounds];
    long allocated = 0;
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    double sink = 0;
    for (int r = 0; r < rounds; r++) {
      long a0 = mx.getCurrentThreadAllocatedBytes();
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        sink += step(net, params, state, ws, grad);
      }
      long t1 = System.nanoTime();
      allocated += mx.getCurrentThreadAllocatedBytes() - a0;
      stepMs[r] = (t1 - t0) / 1e6 / steps;
      long g0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        gemms.run();
      }
      gemmMs[r] = (System.nanoTime() - g0) / 1e6 / steps;
    }
    double ms = median(stepMs);
    double gemm = median(gemmMs);
    double flops = GemmOnly.flops();
    ObjectNode out = new ObjectMapper().createObjectNode();
    out.put("bench", "engine-step");
    out.put("network", SPEC);
    out.put("loss", "cross_entropy");
    out.put("batch", BATCH);
    out.put("threads", 1);
    out.put("blas", blas.name());
    out.put("ms_per_step", round(ms, 4));
    out.put("gflops", round(flops / (ms * 1e6), 2));
    out.put("sgemm_only_ms", round(gemm, 4));
    out.put("sgemm_gflops", round(flops / (gemm * 1e6), 2));
    out.put("ratio_to_sgemm", round(gemm / ms, 3));
    out.put("alloc_bytes_per_step", allocated / ((long) rounds * steps));
    out.put("rounds", rounds);
    out.put("steps_per_round", steps);
    out.put("step_ms_rounds", Arrays.toString(round(stepMs)));
    out.put("sgemm_ms_rounds", Arrays.toString(round(gemmMs)));
    out.put("checksum", sink != 0);
    System.out.println(out);
  }

  private static double step(Network net, float[] params, float[] state, Workspace ws, float[] grad) {
    Arrays.fill(grad, 0f);
    return net.lossAndGradient(params, state, ws, BATCH, false, grad, 0L, false);
  }

  /** The eight GEMMs of the step, with the step's shapes and transposes, nothing else. */
  static final class GemmOnly {
    private final Blas blas;
    private final float[] x = new float[BATCH * 784];
    private final float[] w1 = new float[256 * 784];
    private final float[] w2 = new float[128 * 256];
    private final float[] w3 = new float[10 * 128];
    private final float[] h1 = new float[BATCH * 256];
    private final float[] h2 = new float[BATCH * 128];
    private final float[] z = new float[BATCH * 10];
    private final float[] g1 = new float[256 * 784];
    private final float[] g2 = new float[128 * 256];
    private final float[] g3 = new float[10 * 128];

    GemmOnly(Blas blas) {
      this.blas = blas;
      Rng r = new Rng(3);
      for (float[] a : new float[][] {x, w1, w2, w3}) {
        for (int i = 0; i < a.length; i++) {
          a[i] = r.nextFloat() - 0.5f;
        }
      }
    }

    void run() {
      int b = BATCH;
      blas.gemm(false, true, b, 256, 784, 1f, x, 0, 784, w1, 0, 784, 1f, h1, 0, 256);
      blas.gemm(false, true, b, 128, 256, 1f, h1, 0, 256, w2, 0, 256, 1f, h2, 0, 128);
      blas.gemm(false, true, b, 10, 128, 1f, h2, 0, 128, w3, 0, 128, 1f, z, 0, 10);
      blas.gemm(true, false, 10, 128, b, 1f, z, 0, 10, h2, 0, 128, 1f, g3, 0, 128);
      blas.gemm(false, false, b, 128, 10, 1f, z, 0, 10, w3, 0, 128, 0f, h2, 0, 128);
      blas.gemm(true, false, 128, 256, b, 1f, h2, 0, 128, h1, 0, 256, 1f, g2, 0, 256);
      blas.gemm(false, false, b, 256, 128, 1f, h2, 0, 128, w2, 0, 256, 0f, h1, 0, 256);
      blas.gemm(true, false, 256, 784, b, 1f, h1, 0, 256, x, 0, 784, 1f, g1, 0, 784);
    }

    /** Exact GEMM FLOPs of one step: 2·m·n·k summed over the eight calls. */
    static double flops() {
      double b = BATCH;
      double fwd = 2 * b * (784 * 256 + 256 * 128 + 128 * 10);
      double dw = fwd;
      double dx = 2 * b * (128 * 10 + 256 * 128);
      return fwd + dw + dx;
    }
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  static double[] round(double[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = round(v[i], 4);
    }
    return r;
  }
}
