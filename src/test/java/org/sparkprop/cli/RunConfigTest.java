package org.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the user set, told apart from the defaults (the automatic model choice needs it). */
class RunConfigTest {

  @Test
  void isSetSeesTheFileAndTheOverridesNotTheDefaults() {
    RunConfig defaults = RunConfig.load(null, List.of());
    assertFalse(defaults.isSet("training.optimizer"));
    assertEquals("auto", defaults.string("model.network"));
    RunConfig over = RunConfig.load(null, List.of("training.optimizer=adam"));
    assertTrue(over.isSet("training.optimizer"), "set to its default value is still set");
    RunConfig file = RunConfig.load(new File("conf/two-moons.conf"), List.of());
    assertTrue(file.isSet("model.network"));
    assertFalse(file.isSet("spark.collectivePorts"));
  }
}
