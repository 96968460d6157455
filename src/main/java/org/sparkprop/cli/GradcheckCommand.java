package org.sparkprop.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkprop.linalg.Rng;
import org.sparkprop.nn.GradientCheck;
import org.sparkprop.nn.Init;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.Penalty;
import org.sparkprop.nn.Workspace;
import org.sparkprop.train.ArrayFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparkprop gradcheck}: central-difference check of a network's analytic gradient on a random
 * batch (random inputs, valid random labels). Prints the largest relative error; exit status 1 if it
 * exceeds the tolerance.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
    description = "Check a network's gradients against central differences.")
final class GradcheckCommand implements Callable<Integer> {

  @Option(names = {"-n", "--network"}, required = true, description = "network spec, e.g. 4-8tanh-3")
  String network;

  @Option(names = {"-l", "--loss"}, defaultValue = "cross_entropy", description = "loss")
  String loss;

  @Option(names = {"-p", "--penalty"}, defaultValue = "none", description = "penalty")
  String penalty;

  @Option(names = "--rows", defaultValue = "8", description = "batch rows")
  int rows;

  @Option(names = "--seed", defaultValue = "1", description = "seed")
  long seed;

  @Option(names = "--tolerance", defaultValue = "0.02", description = "largest relative error accepted")
  double tolerance;

  @Option(names = "--max-coordinates", defaultValue = "2000",
      description = "check at most this many coordinates per array (0 = all)")
  int maxCoordinates;

  @Override
  public Integer call() throws Exception {
    Network net = Network.of(network, loss);
    float[] params = net.initParams(Init.parse("normal(0.5)"), seed);
    Workspace ws = net.newWorkspace(rows);
    Rng rng = new Rng(Rng.derive(seed, 1));
    for (int i = 0; i < rows * net.inputSize(); i++) {
      ws.input()[i] = (float) rng.nextGaussian();
    }
    int lw = net.labelWidth();
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < lw; k++) {
        ws.labels()[r * lw + k] = net.loss().isClassification() ? rng.nextInt(net.numClasses())
            : (float) rng.nextGaussian();
      }
    }
    GradientCheck.Result res = new GradientCheck(2e-3, 1e-3, maxCoordinates).check(net, params,
        net.initState(), ws, rows, false, Penalty.parse(penalty), seed, true);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("network", net.spec().toString());
    out.put("loss", net.loss().name());
    out.put("penalty", penalty);
    out.put("checked", res.checked());
    out.put("max_relative_error", res.maxError());
    out.put("worst", res.worst());
    out.put("passes", res.passes(tolerance));
    System.out.println(ArrayFile.json().writeValueAsString(out));
    return res.passes(tolerance) ? 0 : 1;
  }
}
