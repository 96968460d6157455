package org.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkprop.linalg.Blas;

/**
 * Central-difference gradient checks over the registries: every activation, every layer kind,
 * every loss (binary and multiclass forms) and every penalty. A new activation or loss is picked
 * up automatically; a new Layer class fails {@link #everyLayerClassHasACase()} until it gets one.
 */
class GradientCheckTest {

  private static final double TOLERANCE = 2e-2;

  /** Network cases: name → (spec, loss, penalty). */
  static Map<String, String[]> cases() {
    Map<String, String[]> c = new LinkedHashMap<>();
    for (Activation a : Activation.values()) {
      if (a == Activation.STEP) {
        continue;                                      // not differentiable: see stepIsRefused
      }
      String act = a.specName + (a == Activation.LEAKY_RELU ? "(0.2)" : a == Activation.SIGMOID ? "(2)" : "");
      c.put("activation " + act, new String[] {"5-6" + act + "-3", "cross_entropy", "none"});
    }
    c.put("layer Dense (linear model)", new String[] {"5-3", "cross_entropy", "none"});
    c.put("layer BatchNorm", new String[] {"5-6relu+bn-3", "cross_entropy", "none"});
    c.put("layer Dropout", new String[] {"5-6tanh+dropout(0.3)-3", "cross_entropy", "none"});
    c.put("layer stack", new String[] {"5-6tanh+bn+dropout(0.2)-4sigmoid-3", "cross_entropy", "none"});
    for (Loss loss : Losses.ALL) {
      boolean binaryToo = loss.isClassification() && !(loss instanceof SoftmaxCrossEntropy);
      int multi = loss instanceof LogisticLoss ? 1 : 3;
      c.put("loss " + loss.name(), new String[] {"5-6tanh-" + multi, loss.name(), "none"});
      if (binaryToo && multi != 1) {
        c.put("loss " + loss.name() + " binary", new String[] {"5-6tanh-1", loss.name(), "none"});
      }
    }
    c.put("loss squared multi-output", new String[] {"5-6tanh-2", "squared", "none"});
    c.put("penalty l2", new String[] {"5-6tanh-3", "cross_entropy", "l2(0.1)"});
    c.put("penalty l1", new String[] {"5-6tanh-3", "cross_entropy", "l1(0.05)"});
    c.put("penalty elasticnet", new String[] {"5-6tanh-3", "cross_entropy", "elasticnet(0.1,0.5)"});
    return c;
  }

  @TestFactory
  Stream<DynamicTest> everyRegisteredPieceHasCorrectGradients() {
    return cases().entrySet().stream().flatMap(e -> Stream.of(false, true).map(weighted ->
        DynamicTest.dynamicTest(e.getKey() + (weighted ? " weighted" : ""), () -> {
          String[] c = e.getValue();
          Network net = Network.of(c[0], c[1]);
          float[] params = net.initParams(org.sparkprop.nn.Init.parse("normal(0.5)"), 11);
          float[] state = net.initState();
          int rows = 6;
          Workspace ws = net.newWorkspace(rows);
          NetTestUtil.randomBatch(net, ws, rows, 3, 1.0);
          GradientCheck.Result r = GradientCheck.defaults().check(net, params, state, ws, rows,
              weighted, Penalty.parse(c[2]), 99, true);
          System.out.println(e.getKey() + (weighted ? " w" : "") + ": " + r);
          assertTrue(r.passes(TOLERANCE), e.getKey() + ": " + r);
          assertTrue(r.checked() > net.paramCount(), "checked params and inputs");
        })));
  }

  @Test
  void detectsAWrongGradient() {
    // A loss whose gradient is 10% too large must fail the check: the checker has teeth.
    Loss honest = new SoftmaxCrossEntropy();
    Loss wrong = new Loss() {
      public String name() { return "wrong"; }
      public boolean isClassification() { return true; }
      public int labelWidth(int w) { return 1; }
      public int numClasses(int w) { return w; }
      public void checkOutputWidth(int w) {}
      public String checkLabel(float[] l, int o, int w) { return null; }
      public double evaluate(float[] out, int width, float[] labels, float[] weights, int rows, float[] dOut) {
        double v = honest.evaluate(out, width, labels, weights, rows, dOut);
        if (dOut != null) {
          for (int i = 0; i < rows * width; i++) {
            dOut[i] *= 1.1f;
          }
        }
        return v;
      }
      public int predictClass(float[] out, int offset, int width) { return 0; }
      public void probabilities(float[] out, int offset, int width, double[] probs) {}
    };
    Network net = Network.of(NetworkSpec.parse("5-6tanh-3"), wrong, Blas.fast());
    float[] params = net.initParams(Init.XAVIER, 1);
    Workspace ws = net.newWorkspace(4);
    NetTestUtil.randomBatch(net, ws, 4, 3, 1.0);
    GradientCheck.Result r = GradientCheck.defaults().check(net, params, net.initState(), ws, 4,
        false, Penalty.NONE, 1, false);
    assertFalse(r.passes(TOLERANCE), r.toString());
  }

  @Test
  void stepIsRefusedForTraining() {
    Network net = Network.of("3-1step", "perceptron");
    Workspace ws = net.newWorkspace(2);
    NetTestUtil.randomBatch(net, ws, 2, 1, 1.0);
    float[] params = net.initParams(Init.ZEROS, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> net.lossAndGradient(params, net.initState(), ws, 2, false, new float[net.paramCount()],
            0, false));
    assertTrue(e.getMessage().contains("Heaviside step is for prediction only"), e.getMessage());
    // ... but it predicts: step(z) is 1 exactly where z > 0 (here z is the bias: 0.5, then -0.5).
    params[3] = 0.5f;
    assertEquals(1f, net.forward(params, net.initState(), ws, 2, false, 0)[0]);
    params[3] = -0.5f;
    assertEquals(0f, net.forward(params, net.initState(), ws, 2, false, 0)[0]);
  }

  /**
   * Every concrete class of the engine's package (compiled classes, found by type, not by
   * reading sources) that implements {@code type}: a new layer or loss, however it is written,
   * cannot escape the registries below.
   */
  static List<Class<?>> implementationsOf(Class<?> type) throws Exception {
    Path dir = Path.of(Layer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve("org/sparkprop/nn");
    List<Class<?>> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".class")) {
          continue;
        }
        Class<?> c = Class.forName("org.sparkprop.nn." + name.substring(0, name.length() - 6), false,
            GradientCheckTest.class.getClassLoader());
        if (type.isAssignableFrom(c) && !c.isInterface()
            && !java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
          found.add(c);
        }
      }
    }
    return found;
  }

  @Test
  void everyLayerClassHasACase() throws Exception {
    List<Class<?>> layerClasses = implementationsOf(Layer.class);
    Set<String> covered = Set.of("Dense", "ActivationLayer", "BatchNorm", "Dropout");
    assertTrue(layerClasses.size() >= covered.size(), "layer classes found: " + layerClasses);
    for (Class<?> c : layerClasses) {
      assertTrue(covered.contains(c.getSimpleName()), "Layer class " + c.getName() + " has no "
          + "gradient-check case: add one to GradientCheckTest.cases() and to 'covered'");
    }
    // and each covered class really appears in a case's network
    Set<String> seen = new java.util.HashSet<>();
    for (String[] c : cases().values()) {
      for (Layer l : Network.of(c[0], c[1]).layers()) {
        seen.add(l.getClass().getSimpleName());
      }
    }
    assertTrue(seen.containsAll(covered), "cases build " + seen);
  }

  /** Every Loss class is in {@link Losses#ALL}, which the gradient checks iterate over. */
  @Test
  void everyLossClassIsRegistered() throws Exception {
    List<Class<?>> lossClasses = implementationsOf(Loss.class);
    Set<Class<?>> registered = new java.util.HashSet<>();
    for (Loss l : Losses.ALL) {
      registered.add(l.getClass());
    }
    assertTrue(lossClasses.size() >= 5, "loss classes found: " + lossClasses);
    for (Class<?> c : lossClasses) {
      assertTrue(registered.contains(c), "Loss class " + c.getName() + " is not in Losses.ALL, so "
          + "no gradient check or golden test sees it: register it there");
    }
  }
}
