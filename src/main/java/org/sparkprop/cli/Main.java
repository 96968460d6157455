package org.sparkprop.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Sparkprop's command line, for {@code spark-submit} and local runs:
 * <pre>
 *   train      --config conf/fashion-mnist-mlp.conf [--set training.epochs=5] [--master local[2]]
 *   evaluate   --model runs/latest/model --data fashion-mnist:test
 *   predict    --model runs/latest/model --data csv:new.csv --output predictions.csv
 *   gradcheck  --network 4-8tanh-3 --loss cross_entropy
 * </pre>
 * Errors print one line that says what was wrong and how to fix it (set SPARKPROP_DEBUG=1 for the
 * stack trace) and exit with status 1; bad usage exits with 2 (in cluster deploy mode, see
 * {@link #finish}). {@code bin/sparkprop} is the launcher.
 */
@Command(name = "sparkprop", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Data-parallel neural-network training on Apache Spark.",
    subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
        GradcheckCommand.class, PlotCommand.class})
public final class Main implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    finish(execute(args), System.getProperty("spark.submit.deployMode", "client"));
  }

  /**
   * Ends the JVM's run with {@code status}. In spark-submit's cluster deploy mode the driver runs
   * inside the cluster's application master, which reads a user {@code System.exit} as an early
   * exit (YARN then runs the application again): there a success returns normally and a failure
   * throws, which the application master reports. Elsewhere the status is the process's exit code.
   */
  static void finish(int status, String deployMode) {
    if ("cluster".equals(deployMode)) {
      if (status != 0) {
        throw new IllegalStateException("sparkprop failed with exit status " + status
            + " (its error is above)");
      }
      return;
    }
    System.exit(status);
  }

  /** Runs the command line and returns the exit status (for tests). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      err.println("error: " + message(e));
      if (System.getenv("SPARKPROP_DEBUG") != null) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    return cl.execute(args);
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sparkprop " + org.sparkprop.train.Provenance.version()};
    }
  }
}
