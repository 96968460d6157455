package org.sparkprop.train;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkprop.linalg.Blas;

/** What every saved model and run log records about where it came from. */
public final class Provenance {

  private Provenance() {}

  public static Map<String, Object> of(Map<String, Object> config, String dataSource, String trainer,
                                       List<EpochMetrics> history) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("createdAt", Instant.now().toString());
    m.put("trainer", trainer);
    m.put("config", config);
    m.put("seed", config.get("seed"));
    m.put("dataSource", dataSource);
    m.put("versions", versions());
    m.put("epochs", history.size());
    if (!history.isEmpty()) {
      m.put("finalMetrics", history.get(history.size() - 1).toMap());
    }
    return m;
  }

  public static Map<String, Object> versions() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("sparkprop", version());
    v.put("java", System.getProperty("java.version"));
    v.put("blas", Blas.fast().name());
    return v;
  }

  /** Sparkprop's version from the jar manifest, or "dev" when running from classes. */
  public static String version() {
    String v = Provenance.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
