package org.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.linalg.Blas;

/**
 * The engine against values computed independently by PyTorch (float64 autograd) from the same
 * float32 inputs: scripts/golden/engine_golden.py wrote src/test/resources/golden/engine.json.
 */
class GoldenEngineTest {

  private static JsonNode cases;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = GoldenEngineTest.class.getResourceAsStream("/golden/engine.json")) {
      cases = new ObjectMapper().readTree(in).get("cases");
    }
  }

  static float[] f(JsonNode n) {
    float[] a = new float[n.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) n.get(i).asDouble();
    }
    return a;
  }

  static void assertClose(JsonNode expected, float[] actual, int n, double tol, String what) {
    assertEquals(expected.size(), n, what + ": length");
    for (int i = 0; i < n; i++) {
      double e = expected.get(i).asDouble();
      assertEquals(e, actual[i], tol * (1 + Math.abs(e)), what + "[" + i + "]");
    }
  }

  @Test
  void denseForwardAndBackward() {
    JsonNode c = cases.get("dense");
    int rows = c.get("rows").asInt();
    int nIn = c.get("nIn").asInt();
    int nOut = c.get("nOut").asInt();
    Dense d = new Dense(nIn, nOut, 0, 0, Blas.fast());
    float[] params = new float[d.paramCount()];
    System.arraycopy(f(c.get("W")), 0, params, 0, nIn * nOut);
    System.arraycopy(f(c.get("b")), 0, params, nIn * nOut, nOut);
    float[] x = f(c.get("x"));
    float[] out = new float[rows * nOut];
    d.forward(params, new float[0], x, out, rows, new Scratch(0), true);
    assertClose(c.get("out"), out, out.length, 1e-5, "out");
    float[] grad = new float[d.paramCount()];
    java.util.Arrays.fill(grad, 1f);                       // backward adds into what is there
    float[] dIn = new float[rows * nIn];
    d.backward(params, x, out, f(c.get("dOut")), dIn, grad, rows, new Scratch(0));
    for (int i = 0; i < grad.length; i++) {
      grad[i] -= 1f;
    }
    assertClose(c.get("dW"), grad, nIn * nOut, 1e-5, "dW");
    float[] db = java.util.Arrays.copyOfRange(grad, nIn * nOut, grad.length);
    assertClose(c.get("db"), db, nOut, 1e-5, "db");
    assertClose(c.get("dX"), dIn, dIn.length, 1e-5, "dX");
  }

  @Test
  void activationsForwardAndBackward() {
    Iterator<Map.Entry<String, JsonNode>> it = cases.get("activations").fields();
    int checked = 0;
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode c = e.getValue();
      int rows = c.get("rows").asInt();
      int width = c.get("width").asInt();
      // Parse the activation the same way a spec does: "1" + name gives a block.
      NetworkSpec.Block b = NetworkSpec.parse("1-" + width + e.getKey() + "-1").blocks().get(0);
      ActivationLayer layer = new ActivationLayer(b.activation(), b.activationParam(), width);
      float[] z = f(c.get("z"));
      float[] out = new float[rows * width];
      layer.forward(new float[0], new float[0], z, out, rows, new Scratch(0), true);
      assertClose(c.get("out"), out, out.length, 1e-6, e.getKey() + " out");
      float[] dIn = new float[rows * width];
      layer.backward(new float[0], z, out, f(c.get("dOut")), dIn, new float[0], rows, new Scratch(0));
      assertClose(c.get("dIn"), dIn, dIn.length, 1e-5, e.getKey() + " dIn");
      checked++;
    }
    assertEquals(5, checked);
  }

  @Test
  void batchNormTrainingForwardBackwardAndRunningStats() {
    JsonNode c = cases.get("batchnorm");
    int rows = c.get("rows").asInt();
    int n = c.get("width").asInt();
    BatchNorm bn = new BatchNorm(n, 0, 0, 0);
    float[] params = gammaThenBeta(c, n);
    float[] state = new float[2 * n];
    bn.initState(state);
    Scratch sc = new Scratch(bn.scratchSize(rows));
    float[] x = f(c.get("x"));
    float[] out = new float[rows * n];
    bn.forward(params, state, x, out, rows, sc, true);
    assertClose(c.get("out"), out, out.length, 1e-5, "out");
    assertClose(c.get("runningMean"), state, n, 1e-5, "runningMean");
    assertClose(c.get("runningVar"), java.util.Arrays.copyOfRange(state, n, 2 * n), n, 1e-5, "runningVar");
    float[] grad = new float[2 * n];
    float[] dIn = new float[rows * n];
    bn.backward(params, x, out, f(c.get("dOut")), dIn, grad, rows, sc);
    assertClose(c.get("dX"), dIn, dIn.length, 1e-4, "dX");
    assertClose(c.get("dGamma"), grad, n, 1e-5, "dGamma");
    assertClose(c.get("dBeta"), java.util.Arrays.copyOfRange(grad, n, 2 * n), n, 1e-5, "dBeta");
  }

  /** Batch norm's parameters as the layer lays them out: γ, then β. */
  static float[] gammaThenBeta(JsonNode c, int n) {
    float[] params = new float[2 * n];
    System.arraycopy(f(c.get("gamma")), 0, params, 0, n);
    System.arraycopy(f(c.get("beta")), 0, params, n, n);
    return params;
  }

  @Test
  void batchNormInferenceUsesTheRunningStatistics() {
    JsonNode c = cases.get("batchnorm_inference");
    int rows = c.get("rows").asInt();
    int n = c.get("width").asInt();
    BatchNorm bn = new BatchNorm(n, 0, 0, 0);
    float[] params = gammaThenBeta(c, n);
    float[] state = new float[2 * n];
    System.arraycopy(f(c.get("runningMean")), 0, state, 0, n);
    System.arraycopy(f(c.get("runningVar")), 0, state, n, n);
    float[] before = state.clone();
    float[] out = new float[rows * n];
    bn.forward(params, state, f(c.get("x")), out, rows, new Scratch(bn.scratchSize(rows)), false);
    assertClose(c.get("out"), out, out.length, 1e-5, "out");
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, state, "inference moves no statistics");
  }

  @Test
  void dropoutIsInvertedAsInPyTorch() {
    JsonNode c = cases.get("dropout");
    double p = c.get("p").asDouble();
    int rows = c.get("rows").asInt();
    int n = c.get("width").asInt();
    Dropout d = new Dropout(p, n);
    float[] x = f(c.get("x"));
    float[] out = new float[rows * n];
    d.forward(null, null, x, out, rows, new Scratch(d.scratchSize(rows)), false);
    assertClose(c.get("inference"), out, out.length, 0, "identity at inference");
    // Training: kept units carry torch's scale, dropped ones 0, at torch's rate.
    int big = 200_000;
    float[] ones = new float[big];
    java.util.Arrays.fill(ones, 1f);
    float[] o = new float[big];
    Scratch sc = new Scratch(d.scratchSize(big));
    sc.rng.reseed(7);
    d.forward(null, null, ones, o, 1 * big / n, sc, true);
    float keptValue = (float) c.get("keptValue").asDouble();
    int kept = 0;
    for (float v : o) {
      org.junit.jupiter.api.Assertions.assertTrue(v == keptValue || v == 0f, "a unit is kept at " + keptValue + " or dropped, got " + v);
      kept += v > 0 ? 1 : 0;
    }
    assertEquals(c.get("keptFraction").asDouble(), kept / (double) big, 0.005, "kept fraction");
    // The gradient goes through the same mask.
    float[] dOut = new float[big];
    for (int i = 0; i < big; i++) {
      dOut[i] = (i % 7) - 3f;
    }
    float[] dIn = new float[big];
    d.backward(null, ones, o, dOut, dIn, null, big / n, sc);
    for (int i = 0; i < big; i++) {
      assertEquals(dOut[i] * o[i], dIn[i], 0f);
    }
  }

  @Test
  void lossesValueAndGradient() {
    Iterator<Map.Entry<String, JsonNode>> it = cases.get("losses").fields();
    int checked = 0;
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode c = e.getValue();
      String name = e.getKey().replace("_weighted", "").replace("_binary", "");
      Loss loss = Losses.byName(name);
      int rows = c.get("rows").asInt();
      int width = c.get("width").asInt();
      float[] z = f(c.get("z"));
      float[] labels = f(c.get("labels"));
      float[] w = c.get("weights").isNull() ? null : f(c.get("weights"));
      float[] dz = new float[rows * width];
      double value = loss.evaluate(z, width, labels, w, rows, dz);
      assertEquals(c.get("loss").asDouble(), value, 1e-5 * (1 + Math.abs(value)), e.getKey());
      assertClose(c.get("dZ"), dz, dz.length, 1e-5, e.getKey() + " dZ");
      checked++;
    }
    assertEquals(8, checked);
  }

  @Test
  void smallMlpLossAndFullGradient() {
    JsonNode c = cases.get("mlp");
    Network net = Network.of(c.get("spec").asText(), c.get("loss").asText());
    int rows = c.get("rows").asInt();
    Workspace ws = net.newWorkspace(rows);
    System.arraycopy(f(c.get("x")), 0, ws.input(), 0, rows * net.inputSize());
    System.arraycopy(f(c.get("labels")), 0, ws.labels(), 0, rows);
    System.arraycopy(f(c.get("weights")), 0, ws.weights(), 0, rows);
    float[] params = f(c.get("params"));
    float[] grad = new float[net.paramCount()];
    double loss = net.lossAndGradient(params, net.initState(), ws, rows, true, grad, 0, true);
    assertEquals(c.get("lossSum").asDouble(), loss, 1e-5 * Math.abs(loss));
    assertClose(c.get("output"), ws.output(), rows * net.outputSize(), 1e-5, "output");
    assertClose(c.get("grad"), grad, grad.length, 1e-4, "grad");
    assertClose(c.get("dX"), ws.inputGradient(), rows * net.inputSize(), 1e-4, "dX");
  }
}
