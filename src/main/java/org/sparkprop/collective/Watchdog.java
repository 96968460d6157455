package org.sparkprop.collective;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds blocking socket calls in time: {@link #arm} schedules closing the given resources after
 * the timeout, which makes the blocked read, write, connect or accept fail; the caller then asks
 * {@link #expired} to turn that failure into a message that says what it was waiting for.
 */
final class Watchdog implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sparkprop-collective-watchdog");
    t.setDaemon(true);
    return t;
  });
  private final long timeoutMs;
  private volatile String expired;

  Watchdog(long timeoutMs) {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("the collective's timeout must be > 0 ms, got " + timeoutMs);
    }
    this.timeoutMs = timeoutMs;
  }

  long timeoutMs() {
    return timeoutMs;
  }

  /** While the returned handle is open, {@code what} must finish within the timeout. */
  Armed arm(String what, Closeable... resources) {
    ScheduledFuture<?> f = timer.schedule(() -> {
      expired = what;
      for (Closeable c : resources) {
        try {
          c.close();
        } catch (IOException ignored) {
          // closing is how the blocked call is woken; a failure to close changes nothing
        }
      }
    }, timeoutMs, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  /** The failure to report for {@code e}: a timeout naming what was awaited, or {@code e} itself. */
  IOException explain(IOException e) {
    String what = expired;
    if (what == null) {
      return e;
    }
    return new CollectiveTimeoutException("timed out after " + timeoutMs + " ms " + what
        + " (spark.collectiveTimeoutMs)", e);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** A pending deadline; closing it cancels the deadline. */
  interface Armed extends AutoCloseable {
    @Override
    void close();
  }
}
