package org.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkSpecTest {

  @Test
  void parsesTheCanonicalMlpAndRoundTrips() {
    NetworkSpec s = NetworkSpec.parse("784-256relu-128relu-10");
    assertEquals(784, s.inputSize());
    assertEquals(3, s.blocks().size());
    assertEquals(Activation.RELU, s.blocks().get(0).activation());
    assertEquals(Activation.IDENTITY, s.blocks().get(2).activation());
    assertEquals("784-256relu-128relu-10", s.toString());
    Network n = Network.of("784-256relu-128relu-10", "cross_entropy");
    assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, n.paramCount());
    assertEquals(10, n.numClasses());
  }

  @Test
  void parsesParametersAndModifiers() {
    NetworkSpec s = NetworkSpec.parse("20-16leakyrelu(0.2)+bn+dropout(0.25)-8sigmoid(2)-1");
    NetworkSpec.Block b = s.blocks().get(0);
    assertEquals(0.2, b.activationParam());
    assertTrue(b.batchNorm());
    assertEquals(0.25, b.dropout());
    assertEquals(2.0, s.blocks().get(1).activationParam());
    assertEquals(1.0, NetworkSpec.parse("2-3sigmoid-1").blocks().get(0).activationParam());
    assertEquals("20-16leakyrelu(0.2)+bn+dropout(0.25)-8sigmoid(2)-1", s.toString());
    Network n = Network.of(s.toString(), "logistic");
    List<String> kinds = n.layers().stream().map(Layer::describe).toList();
    assertEquals(List.of("dense(20,16)", "batchnorm(16)", "leakyrelu(0.2)", "dropout(0.25)",
        "dense(16,8)", "sigmoid(2.0)", "dense(8,1)"), kinds);
  }

  @Test
  void numbersWithExponentsInsideParentheses() {
    NetworkSpec s = NetworkSpec.parse("10-8leakyrelu(1e-2)+dropout(5e-2)-2");
    assertEquals(0.01, s.blocks().get(0).activationParam(), 1e-12);
    assertEquals(0.05, s.blocks().get(0).dropout(), 1e-12);
  }

  @Test
  void linearModelsHaveNoHiddenLayer() {
    Network softmaxRegression = Network.of("784-10", "cross_entropy");
    assertEquals(1, softmaxRegression.layers().size());
    assertEquals(784 * 10 + 10, softmaxRegression.paramCount());
    assertEquals(2, Network.of("5-1", "hinge").numClasses());
    assertEquals(0, Network.of("5-3", "squared").numClasses());
  }

  @Test
  void malformedSpecsGetErrorsThatNameTheProblem() {
    assertMessage("784-256relux-10", "unknown activation 'relux'");
    assertMessage("784-256-10", "a hidden layer needs an activation");
    assertMessage("784--10", "empty layer");
    assertMessage("784", "needs an input size and an output layer");
    assertMessage("0-10", "must be positive");
    assertMessage("abc-10", "the input size must be a positive integer");
    assertMessage("784-relu-10", "starts with its number of units");
    assertMessage("784-256relu+bx-10", "unknown modifier '+bx'");
    assertMessage("784-256relu+dropout(1.5)-10", "dropout probability must be in [0, 1)");
    assertMessage("784-256tanh(2)-10", "takes no argument");
    assertMessage("784-256relu-10+bn", "hidden layers only");
    assertMessage("", "Empty network spec");
  }

  @Test
  void lossAndOutputMismatchesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Network.of("4-10softmax", "cross_entropy"));
    assertTrue(e.getMessage().contains("remove 'softmax'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Network.of("4-1", "cross_entropy"));
    assertTrue(e.getMessage().contains("at least 2 units"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Network.of("4-3", "logistic"));
    assertTrue(e.getMessage().contains("one output unit"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Network.of("4-3", "softmax_ce"));
    assertTrue(e.getMessage().contains("Unknown loss"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Network.of("4-8relu-3", "cross_entropy").initParams(Init.ZEROS, 1));
    assertTrue(e.getMessage().contains("linear models only"), e.getMessage());
  }

  @Test
  void shapeMismatchesAreRefused() {
    Network n = Network.of("4-3", "cross_entropy");
    Workspace ws = n.newWorkspace(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> n.forward(new float[5], n.initState(), ws, 2, false, 0));
    assertTrue(e.getMessage().contains("needs 15"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> n.forward(new float[15], n.initState(), ws, 3, false, 0));
    assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    Workspace other = Network.of("5-3", "cross_entropy").newWorkspace(2);
    e = assertThrows(IllegalArgumentException.class,
        () -> n.forward(new float[15], n.initState(), other, 2, false, 0));
    assertTrue(e.getMessage().contains("different network"), e.getMessage());
  }

  private static void assertMessage(String spec, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.parse(spec));
    assertTrue(e.getMessage().contains(fragment), spec + " -> " + e.getMessage());
  }
}
