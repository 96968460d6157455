package org.sparkprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkprop.nn.ParamSegment;
import org.sparkprop.nn.Penalty;
import org.sparkprop.train.UpdateRule;

/**
 * 1- and 10-step trajectories against torch.optim (scripts/golden/optim_golden.py →
 * src/test/resources/golden/optim.json), at ordinary and high learning rates, on
 * f(w) = ½ Σ a_i (w_i − c_i)², plus momentum with an L2 penalty and clipping by global norm.
 */
class GoldenOptimizerTest {

  static JsonNode golden() throws IOException {
    try (InputStream in = GoldenOptimizerTest.class.getResourceAsStream("/golden/optim.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static float[] f(JsonNode n) {
    float[] a = new float[n.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) n.get(i).asDouble();
    }
    return a;
  }

  @Test
  void everyOptimizerFollowsTorchForTenSteps() throws IOException {
    JsonNode g = golden();
    float[] a = f(g.get("a"));
    float[] c = f(g.get("c"));
    int cases = 0;
    for (JsonNode cs : g.get("cases")) {
      Map<String, Double> hyper = new HashMap<>();
      cs.get("hyper").fields().forEachRemaining(e -> hyper.put(e.getKey(), e.getValue().asDouble()));
      Optimizer o = Optimizers.create(cs.get("optimizer").asText(), hyper);
      float lr = (float) cs.get("lr").asDouble();
      float[] w = f(g.get("w0"));
      OptimizerState s = o.init(w.length);
      float[] grad = new float[w.length];
      JsonNode traj = cs.get("trajectory");
      for (int t = 1; t <= 10; t++) {
        for (int i = 0; i < w.length; i++) {
          grad[i] = a[i] * (w[i] - c[i]);
        }
        o.update(w, grad, s, t, lr, 0, w.length);
        float[] expected = f(traj.get(t - 1));
        for (int i = 0; i < w.length; i++) {
          double tol = 2e-5 * Math.max(1, Math.abs(expected[i])) * t;
          assertEquals(expected[i], w[i], tol, o.name() + " lr=" + lr + " step " + t + " w[" + i + "]");
        }
      }
      cases++;
    }
    assertEquals(14, cases);
  }

  @Test
  void penaltyAndClippingApplyBeforeTheOptimizerAsInTorch() throws IOException {
    JsonNode g = golden();
    JsonNode cs = g.get("clipped");
    float[] a = f(g.get("a"));
    float[] c = f(g.get("c"));
    float[] w = f(g.get("w0"));
    int n = w.length;
    Optimizer o = new Momentum(cs.get("momentum").asDouble());
    UpdateRule rule = new UpdateRule(o, Schedule.constant(cs.get("lr").asDouble()),
        Penalty.l2(cs.get("l2").asDouble()), cs.get("clip_norm").asDouble(),
        List.of(new ParamSegment(0, "W", 0, 1, n, true)));
    OptimizerState s = o.init(n);
    float scale = (float) cs.get("loss_scale").asDouble();
    float[] grad = new float[n];
    for (int t = 1; t <= 10; t++) {
      for (int i = 0; i < n; i++) {
        grad[i] = scale * a[i] * (w[i] - c[i]);         // Σgrad over one row of weight 1
      }
      rule.step(w, grad, 0.0, 1.0, s, t, 0, 1.0, true);
      float[] expected = f(cs.get("trajectory").get(t - 1));
      for (int i = 0; i < n; i++) {
        assertEquals(expected[i], w[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "step " + t);
      }
    }
  }
}
