package org.sparkprop.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command line README shows, found in its code blocks and inline code, and what this test
 * does with it: the cheap ones run as written (with a short budget and a temporary output folder
 * appended: later settings win), the placeholders' synopses are checked against the commands'
 * own {@code --help}, the benchmark and cluster lines against their scripts' usage, and the rest
 * (the suite itself, installers, scripts that need PyTorch) are named with the reason they are
 * not run here. A README line that matches none of these fails the test, so a new command cannot
 * go unchecked.
 */
class ReadmeCommandsIT {

  static final Pattern INLINE = Pattern.compile(
      "`((?:scripts/|bin/sparkprop|sparkprop (?:train|evaluate|predict|gradcheck|plot)|mvn )[^`]*)`");
  static final Pattern COMMAND = Pattern.compile("^(scripts/|bin/sparkprop|sparkprop |mvn |/usr/bin/python3 )");

  @TempDir
  Path dir;

  record Result(int status, String output) {}

  static Result sh(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "finished: " + command);
    return new Result(p.exitValue(), out);
  }

  /** README's command lines: code-block lines (continuations joined) and inline code spans. */
  static Set<String> commands() throws Exception {
    Set<String> found = new LinkedHashSet<>();
    boolean fence = false;
    StringBuilder pending = null;
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      if (line.startsWith("```")) {
        fence = !fence;
        continue;
      }
      if (fence) {
        String l = line.strip();
        if (pending != null) {
          pending.append(' ').append(l);
        } else if (COMMAND.matcher(l).find()) {
          pending = new StringBuilder(l);
        }
        if (pending != null && !pending.toString().endsWith("\\")) {
          found.add(clean(pending.toString()));
          pending = null;
        } else if (pending != null) {
          pending.setLength(pending.length() - 1);
        }
      } else {
        Matcher m = INLINE.matcher(line);
        while (m.find()) {
          found.add(clean(m.group(1)));
        }
      }
    }
    return found;
  }

  /** Without a trailing comment and repeated spaces. */
  static String clean(String c) {
    int hash = c.indexOf(" #");
    return (hash >= 0 ? c.substring(0, hash) : c).strip().replaceAll("\\s+", " ");
  }

  @Test
  void everyReadmeCommandRunsOrIsChecked() throws Exception {
    Set<String> cmds = commands();
    assertTrue(cmds.size() > 20, "README's commands found: " + cmds);
    String benchUsage = sh("bash scripts/bench.sh").output();
    String clusterUsage = sh("bash scripts/cluster.sh").output();
    List<String> ran = new ArrayList<>();
    for (String c : cmds) {
      String first = c.split(" ")[0];
      if (first.startsWith("scripts/") || first.startsWith("bin/")) {
        assertTrue(Files.isRegularFile(Path.of(first)), first + " (README: " + c + ") exists");
        String parse = first.endsWith(".py")
            ? "python3 -c 'import ast,sys; ast.parse(open(sys.argv[1]).read())' " + first
            : "bash -n " + first;
        assertEquals(0, sh(parse).status(), first + " parses");
      }
      if (c.startsWith("scripts/train.sh")) {
        // As written, plus a short budget and a fresh output folder.
        boolean fashion = !c.contains("--config");
        String out = dir.resolve("t" + ran.size()).toString();
        Result r = sh(c + " --set training.epochs=" + (fashion ? 1 : 2) + " --out " + out);
        assertEquals(0, r.status(), c + "\n" + r.output());
        assertTrue(Files.isRegularFile(Path.of(out, "model", "metadata.json")), c + " wrote a model");
        ran.add(c);
      } else if (c.startsWith("sparkprop gradcheck")) {
        String asWritten = c.replaceAll("[\\[\\]]", "");         // the optional parts included
        Result r = sh("bin/sparkprop " + asWritten.substring("sparkprop ".length()));
        assertEquals(0, r.status(), c + "\n" + r.output());
        ran.add(c);
      } else if (c.startsWith("sparkprop ")) {
        // A synopsis with placeholders: each option it shows is the subcommand's own.
        String sub = c.split(" ")[1];
        Result help = sh("bin/sparkprop " + sub + " --help");
        assertEquals(0, help.status(), help.output());
        Matcher opt = Pattern.compile("(--[a-z-]+)").matcher(c);
        while (opt.find()) {
          assertTrue(help.output().contains(opt.group(1)), c + ": " + opt.group(1) + " is an option of "
              + sub + "\n" + help.output());
        }
      } else if (c.startsWith("scripts/bench.sh")) {
        String[] w = c.split(" ");
        if (w.length > 1) {
          assertTrue(benchUsage.contains("scripts/bench.sh " + w[1]), c + " in bench.sh's usage");
          if (c.contains("--cluster")) {
            assertTrue(benchUsage.contains("scripts/bench.sh " + w[1] + " [--cluster]"), c);
          }
        }
      } else if (c.startsWith("scripts/cluster.sh")) {
        String[] w = c.split(" ");
        // start and stop run in DeployModeClusterIT; run starts, trains Fashion-MNIST, stops.
        assertTrue(w.length == 1 || clusterUsage.contains("scripts/cluster.sh " + w[1]), c);
      } else if (c.startsWith("scripts/submit.sh")) {
        // Cluster masters only (HDFS, a real cluster); DeployModeClusterIT submits to a loopback one.
        assertTrue(c.equals("scripts/submit.sh") || c.contains("--"), c);
      } else if (c.equals("bin/sparkprop")) {
        assertEquals(0, sh("bin/sparkprop --help").status());
      } else if (!notRunHere(c)) {
        fail("README shows `" + c + "`, which this test neither runs nor checks: add it here");
      }
    }
    assertTrue(ran.size() >= 4, "train.sh lines and gradcheck ran: " + ran);
  }

  /** Lines not run by the suite, each for a reason. */
  static boolean notRunHere(String c) {
    return c.equals("scripts/test.sh") || c.equals("mvn verify")       // the suite itself
        || c.equals("mvn install") || c.equals("scripts/packages.sh")  // installs into ~/.m2
        || c.equals("scripts/setup.sh")                                // apt, as root
        || c.startsWith("scripts/golden/") || c.startsWith("/usr/bin/python3 scripts/golden/")
        || c.equals("scripts/bench/tabular_data.py");                  // need PyTorch, scikit-learn
  }
}
