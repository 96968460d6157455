package org.sparkprop.optim;

import breeze.linalg.DenseVector;
import breeze.linalg.DenseVector$mcD$sp;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.function.IntConsumer;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * Full-batch L-BFGS through breeze's implementation (the one Spark MLlib uses), for small and
 * convex models: softmax regression, linear regression, small MLPs.
 *
 * <p>Each iteration evaluates the objective (one full pass over the data, possibly more during the
 * line search). Weights are float32 elsewhere; breeze works in double, so each evaluation converts
 * w to float and the gradient back, which costs O(P) against the O(N·P) pass.
 *
 * @param maxIterations stop after this many iterations
 * @param memory number of correction pairs kept (m; MLlib's default 10)
 * @param tolerance stop when breeze's relative-improvement or gradient-norm test passes (MLlib: 1e-6)
 */
public record Lbfgs(int maxIterations, int memory, double tolerance) {

  public Lbfgs {
    if (maxIterations <= 0 || memory <= 0 || !(tolerance >= 0)) {
      throw new IllegalArgumentException("L-BFGS needs maxIterations > 0, memory > 0, tolerance >= 0; got "
          + maxIterations + ", " + memory + ", " + tolerance);
    }
  }

  /** Outcome: the final weights, the objective after every iteration, and the iterations run. */
  public record Result(float[] weights, double[] objectiveHistory, int iterations) {}

  /**
   * Minimises {@code f} from {@code w0} (not modified); {@code afterIteration} gets the 1-based
   * iteration number, for progress reports.
   */
  public Result minimize(Objective f, float[] w0, IntConsumer afterIteration) {
    int n = w0.length;
    DiffFunction<DenseVector<Object>> fn = breezeObjective(f, n);
    LBFGS<DenseVector<Object>> lbfgs =
        new LBFGS<>(maxIterations, memory, tolerance, DenseVector.space_Double());
    double[] start = new double[n];
    for (int i = 0; i < n; i++) {
      start[i] = w0[i];
    }
    @SuppressWarnings("unchecked")
    DenseVector<Object> x0 = (DenseVector<Object>) (Object) new DenseVector$mcD$sp(start);
    Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> it =
        cast(lbfgs.iterations(fn, x0));
    double[] history = new double[maxIterations + 1];
    int count = 0;
    FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state = null;
    while (it.hasNext()) {
      state = it.next();
      if (count < history.length) {
        history[count] = state.adjustedValue();
      }
      if (count > 0) {
        afterIteration.accept(count);
      }
      count++;
    }
    double[] xs = toArray(state.x());
    float[] result = new float[n];
    for (int i = 0; i < n; i++) {
      result[i] = (float) xs[i];
    }
    return new Result(result, java.util.Arrays.copyOf(history, Math.min(count, history.length)),
        Math.max(0, count - 1));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> cast(Iterator it) {
    return it;
  }

  private static double[] toArray(DenseVector<Object> v) {
    return (double[]) v.toArray(scala.reflect.ClassTag$.MODULE$.Double());
  }

  /**
   * breeze's DiffFunction over our float objective. A Java class cannot implement it: the trait
   * inherits both {@code Object apply(T)} (Function1) and {@code double apply(T)} (its specialised
   * form), which Java sees as a clash. A dynamic proxy has no such limit: it answers
   * {@code calculate}, both {@code apply}s and {@code repr}, and hands every other (default) method
   * back to the trait's own implementation.
   */
  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> breezeObjective(Objective f, int n) {
    float[] w = new float[n];
    float[] g = new float[n];
    java.util.function.Function<Object, Tuple2<Object, DenseVector<Object>>> calculate = x -> {
      double[] xs = toArray((DenseVector<Object>) x);
      for (int i = 0; i < n; i++) {
        w[i] = (float) xs[i];
      }
      java.util.Arrays.fill(g, 0f);
      double value = f.evaluate(w, g);
      double[] grad = new double[n];
      for (int i = 0; i < n; i++) {
        grad[i] = g[i];
      }
      return new Tuple2<>(value, (DenseVector<Object>) (Object) new DenseVector$mcD$sp(grad));
    };
    InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
      case "calculate" -> calculate.apply(args[0]);
      case "apply", "valueAt" -> calculate.apply(args[0])._1();
      case "gradientAt" -> calculate.apply(args[0])._2();
      case "repr" -> proxy;
      case "hashCode" -> System.identityHashCode(proxy);
      case "equals" -> proxy == args[0];
      case "toString" -> "sparkprop-objective";
      default -> InvocationHandler.invokeDefault(proxy, method, args);
    };
    return (DiffFunction<DenseVector<Object>>) Proxy.newProxyInstance(
        DiffFunction.class.getClassLoader(), new Class<?>[] {DiffFunction.class}, handler);
  }
}
