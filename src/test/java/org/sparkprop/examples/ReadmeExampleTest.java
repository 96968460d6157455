package org.sparkprop.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.testing.SparkTestSession;

/** README's Java example is the code of {@link QuickStart}, which compiles and runs here. */
class ReadmeExampleTest {

  @TempDir
  Path dir;

  static String block(String text, String begin, String end) {
    int a = text.indexOf(begin);
    int b = text.indexOf(end, a);
    assertTrue(a >= 0 && b > a, "markers " + begin + " / " + end + " found");
    return text.substring(text.indexOf('\n', a) + 1, b);
  }

  static String normalise(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.strip().split("\n")) {
      if (!line.isBlank() && !line.strip().startsWith("// README-")) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void theReadmeExampleIsQuickStartAndItRuns() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String source = Files.readString(Path.of("src/test/java/org/sparkprop/examples/QuickStart.java"));
    String inReadme = block(readme, "<!-- java-example-begin -->", "<!-- java-example-end -->");
    inReadme = inReadme.substring(inReadme.indexOf("```java") + 7, inReadme.lastIndexOf("```"));
    String inSource = block(source, "// README-BEGIN", "// README-END");
    assertTrue(normalise(inReadme).equals(normalise(inSource)),
        "README's Java example must be QuickStart's code between the README markers:\n"
            + normalise(inSource));
    double accuracy = QuickStart.run(SparkTestSession.get(), dir.resolve("model").toString());
    assertTrue(accuracy > 0.95, "accuracy " + accuracy);
  }
}
