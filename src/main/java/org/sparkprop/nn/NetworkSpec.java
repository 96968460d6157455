package org.sparkprop.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The compact text form of a feed-forward network.
 *
 * <pre>
 *   spec     := input ( '-' block )+                    e.g.  784-256relu-128relu-10
 *   input    := number of features
 *   block    := units [activation] ( '+' modifier )*    e.g.  256relu+bn+dropout(0.2)
 *   activation := relu | leakyrelu[(α)] | sigmoid[(a)] | tanh | identity | softmax | step
 *   modifier := bn | dropout(p)                        (hidden blocks only)
 * </pre>
 * A hidden block is dense → [batch norm] → activation → [dropout]; hidden blocks must name their
 * activation ({@code identity} for a linear one). The last block is the output: its activation
 * defaults to identity (raw scores, which every classification loss expects). No hidden block gives
 * the linear models: {@code 784-10} with cross_entropy is softmax regression, with hinge a linear SVM.
 */
public record NetworkSpec(int inputSize, List<Block> blocks) {

  /** One dense block; {@code param} is NaN when the activation takes none or uses its default. */
  public record Block(int units, Activation activation, double param, boolean batchNorm,
                      double dropout) {

    public double activationParam() {
      return Double.isNaN(param) ? activation.defaultParam : param;
    }

    String text() {
      StringBuilder sb = new StringBuilder().append(units);
      if (activation != Activation.IDENTITY || batchNorm || dropout > 0) {
        sb.append(activation.specName);
        if (!Double.isNaN(param)) {
          sb.append('(').append(formatNumber(param)).append(')');
        }
      }
      if (batchNorm) {
        sb.append("+bn");
      }
      if (dropout > 0) {
        sb.append("+dropout(").append(formatNumber(dropout)).append(')');
      }
      return sb.toString();
    }
  }

  public NetworkSpec {
    blocks = List.copyOf(blocks);
  }

  public int outputSize() {
    return blocks.get(blocks.size() - 1).units();
  }

  public int hiddenLayers() {
    return blocks.size() - 1;
  }

  /** Parses a spec; a malformed one gets an error that names the token and what was expected. */
  public static NetworkSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("Empty network spec; expected e.g. 784-256relu-128relu-10");
    }
    String s = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    String[] tokens = splitOutsideParentheses(s, '-');
    if (tokens.length < 2) {
      throw malformed(text, 1, s, "a spec needs an input size and an output layer, e.g. 784-10");
    }
    int input = parsePositive(text, 1, tokens[0], "the input size");
    List<Block> blocks = new ArrayList<>();
    for (int i = 1; i < tokens.length; i++) {
      boolean output = i == tokens.length - 1;
      blocks.add(parseBlock(text, i + 1, tokens[i], output));
    }
    return new NetworkSpec(input, blocks);
  }

  private static Block parseBlock(String spec, int pos, String token, boolean output) {
    if (token.isEmpty()) {
      throw malformed(spec, pos, token, "empty layer (two '-' in a row, or a trailing '-')");
    }
    String[] parts = splitOutsideParentheses(token, '+');
    String head = parts[0];
    int digits = 0;
    while (digits < head.length() && Character.isDigit(head.charAt(digits))) {
      digits++;
    }
    if (digits == 0) {
      throw malformed(spec, pos, token, "a layer starts with its number of units, e.g. 256relu");
    }
    int units = parsePositive(spec, pos, head.substring(0, digits), "the number of units");
    String act = head.substring(digits);
    double param = Double.NaN;
    int open = act.indexOf('(');
    if (open >= 0) {
      if (!act.endsWith(")")) {
        throw malformed(spec, pos, token, "missing ')'");
      }
      param = parseNumber(spec, pos, act.substring(open + 1, act.length() - 1));
      act = act.substring(0, open);
    }
    Activation activation;
    if (act.isEmpty()) {
      if (!output) {
        throw malformed(spec, pos, token, "a hidden layer needs an activation, e.g. " + units
            + "relu (or " + units + "identity for a linear layer)");
      }
      activation = Activation.IDENTITY;
    } else {
      activation = Activation.bySpecName(act);
      if (activation == null) {
        throw malformed(spec, pos, token, "unknown activation '" + act + "'; expected one of "
            + Activation.specNames());
      }
    }
    if (!Double.isNaN(param) && !activation.takesParam()) {
      throw malformed(spec, pos, token, "activation '" + activation.specName + "' takes no argument");
    }
    boolean bn = false;
    double dropout = 0;
    for (int m = 1; m < parts.length; m++) {
      String mod = parts[m];
      if (output) {
        throw malformed(spec, pos, token, "modifiers (+bn, +dropout) are for hidden layers only");
      }
      if (mod.equals("bn")) {
        bn = true;
      } else if (mod.startsWith("dropout(") && mod.endsWith(")")) {
        dropout = parseNumber(spec, pos, mod.substring(8, mod.length() - 1));
        if (!(dropout >= 0 && dropout < 1)) {
          throw malformed(spec, pos, token, "dropout probability must be in [0, 1), got " + dropout);
        }
      } else {
        throw malformed(spec, pos, token, "unknown modifier '+" + mod
            + "'; expected +bn or +dropout(p)");
      }
    }
    return new Block(units, activation, param, bn, dropout);
  }

  /** Splits on {@code sep}, except inside parentheses: dropout(1e-3) stays one token. */
  private static String[] splitOutsideParentheses(String s, char sep) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == sep && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out.toArray(new String[0]);
  }

  private static int parsePositive(String spec, int pos, String token, String what) {
    try {
      int v = Integer.parseInt(token);
      if (v <= 0) {
        throw malformed(spec, pos, token, what + " must be positive");
      }
      return v;
    } catch (NumberFormatException e) {
      throw malformed(spec, pos, token, what + " must be a positive integer");
    }
  }

  private static double parseNumber(String spec, int pos, String token) {
    try {
      return Double.parseDouble(token);
    } catch (NumberFormatException e) {
      throw malformed(spec, pos, token, "'" + token + "' is not a number");
    }
  }

  private static IllegalArgumentException malformed(String spec, int pos, String token, String why) {
    return new IllegalArgumentException("Malformed network spec '" + spec + "' at token " + pos
        + " ('" + token + "'): " + why);
  }

  private static String formatNumber(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(inputSize);
    for (Block b : blocks) {
      sb.append('-').append(b.text());
    }
    return sb.toString();
  }
}
