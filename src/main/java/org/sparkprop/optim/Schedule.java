package org.sparkprop.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A learning-rate schedule: a pure function of the step t = 0, 1, 2… (updates done before this
 * one). Build with the factories or {@link #parse}; compose with {@link #warmup}.
 *
 * <pre>
 *   constant            η(t) = η0
 *   inverse_time(r)     η(t) = η0 / (1 + r·t)
 *   exponential(λ)      η(t) = η0 · e^(−λ·t)
 *   step(r, tU)         η(t) = η0 · r^⌊t / tU⌋
 *   cosine(T, ηmin)     η(t) = ηmin + (η0 − ηmin)·(1 + cos(π·min(t, T)/T))/2
 *   warmup(W, s)        η(t) = s(0)·(t + 1)/W  for t &lt; W,  then s(t − W)
 *   ramp(k, W, s)       η(t) = s(t)·(1 + (k − 1)·min(1, (t + 1)/W))
 * </pre>
 * {@code ramp} is the gradual warm-up of large synchronous batches (Goyal et al. 2017): it starts at
 * the base schedule and reaches k times it after W steps; the Spark trainer wraps the user's
 * schedule in it when the learning-rate rule scales by k.
 */
@FunctionalInterface
public interface Schedule {

  double at(long t);

  static Schedule constant(double lr) {
    checkLr(lr);
    return t -> lr;
  }

  static Schedule inverseTime(double lr, double r) {
    checkLr(lr);
    nonNegative("inverse_time rate", r);
    return t -> lr / (1 + r * t);
  }

  static Schedule exponential(double lr, double lambda) {
    checkLr(lr);
    nonNegative("exponential decay λ", lambda);
    return t -> lr * Math.exp(-lambda * t);
  }

  static Schedule step(double lr, double r, long every) {
    checkLr(lr);
    nonNegative("step decay factor", r);
    if (every <= 0) {
      throw new IllegalArgumentException("step decay period must be > 0 steps, got " + every);
    }
    return t -> lr * Math.pow(r, Math.floorDiv(t, every));
  }

  static Schedule cosine(double lr, long total, double minLr) {
    checkLr(lr);
    if (total <= 0) {
      throw new IllegalArgumentException("cosine schedule length must be > 0 steps, got " + total);
    }
    if (!(minLr >= 0 && minLr <= lr)) {
      throw new IllegalArgumentException("cosine floor ηmin must be in [0, " + lr
          + "] (the base learning rate), got " + minLr + "; a negative floor would ascend the loss");
    }
    return t -> minLr + (lr - minLr) * (1 + Math.cos(Math.PI * Math.min(t, total) / total)) / 2;
  }

  /** Linear warm-up over {@code steps} updates to {@code then.at(0)}, then {@code then}, shifted. */
  static Schedule warmup(long steps, Schedule then) {
    if (steps <= 0) {
      return then;
    }
    double peak = then.at(0);
    return t -> t < steps ? peak * (t + 1) / steps : then.at(t - steps);
  }

  /** k times {@code base} after a linear ramp over {@code steps} updates from 1 times it. */
  static Schedule ramp(double k, long steps, Schedule base) {
    if (!(k > 0) || Double.isInfinite(k)) {
      throw new IllegalArgumentException("ramp factor must be finite and > 0, got " + k);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("ramp length must be >= 1 step, got " + steps);
    }
    return t -> base.at(t) * (1 + (k - 1) * Math.min(1.0, (t + 1) / (double) steps));
  }

  /**
   * Parses a schedule around the base rate {@code lr}: {@code constant}, {@code inverse_time(r)},
   * {@code exponential(λ)}, {@code step(r, tU)}, {@code cosine}, {@code cosine(T)},
   * {@code cosine(T, ηmin)}, {@code warmup(W, <schedule>)}, {@code ramp(k, W, <schedule>)}. {@code cosine} without T spans
   * {@code totalSteps}, the length of the run.
   */
  static Schedule parse(String text, double lr, long totalSteps) {
    String s = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    String name = s;
    List<String> args = List.of();
    int open = s.indexOf('(');
    if (open >= 0) {
      if (!s.endsWith(")")) {
        throw new IllegalArgumentException("Malformed schedule '" + text + "': missing ')'");
      }
      name = s.substring(0, open);
      args = splitTopLevel(s.substring(open + 1, s.length() - 1));
    }
    try {
      return switch (name) {
        case "constant" -> {
          arity(text, args, 0, 0);
          yield constant(lr);
        }
        case "inverse_time" -> {
          arity(text, args, 1, 1);
          yield inverseTime(lr, num(args.get(0)));
        }
        case "exponential" -> {
          arity(text, args, 1, 1);
          yield exponential(lr, num(args.get(0)));
        }
        case "step" -> {
          arity(text, args, 2, 2);
          yield step(lr, num(args.get(0)), steps(text, "its period", args.get(1)));
        }
        case "cosine" -> {
          arity(text, args, 0, 2);
          long total = args.isEmpty() ? totalSteps : steps(text, "its length T", args.get(0));
          yield cosine(lr, total, args.size() == 2 ? num(args.get(1)) : 0);
        }
        case "warmup" -> {
          arity(text, args, 2, 2);
          long w = steps(text, "its warm-up length", args.get(0));
          yield warmup(w, parse(args.get(1), lr, Math.max(1, totalSteps - w)));
        }
        case "ramp" -> {
          arity(text, args, 3, 3);
          yield ramp(num(args.get(0)), steps(text, "its ramp length", args.get(1)),
              parse(args.get(2), lr, totalSteps));
        }
        default -> throw new IllegalArgumentException("Unknown schedule '" + name + "'; expected "
            + "constant, inverse_time(r), exponential(λ), step(r,steps), cosine[(T[,ηmin])], "
            + "warmup(steps,<schedule>) or ramp(k,steps,<schedule>)");
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Malformed schedule '" + text + "': " + e.getMessage());
    }
  }

  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    if (!s.isEmpty()) {
      out.add(s.substring(start));
    }
    return out;
  }

  private static void arity(String text, List<String> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw new IllegalArgumentException("Schedule '" + text + "' takes " + (min == max ? min
          : min + " to " + max) + " argument(s), got " + args.size());
    }
  }

  private static double num(String s) {
    return Double.parseDouble(s);
  }

  /** A count of steps: a whole number >= 1 ("0.5" is refused, not truncated to no steps). */
  private static long steps(String text, String what, String arg) {
    double v = num(arg);
    if (!(v >= 1) || v != Math.rint(v) || v > Long.MAX_VALUE) {
      throw new IllegalArgumentException("Schedule '" + text + "': " + what + " must be a whole "
          + "number of steps >= 1, got " + arg);
    }
    return (long) v;
  }

  private static void checkLr(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + lr);
    }
  }

  private static void nonNegative(String what, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }
  }
}
