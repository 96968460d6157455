package org.sparkprop.train;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs {@code body(k)} for k = 0..n−1 on n threads (the caller is thread 0) and waits for all:
 * a fork-join barrier cheap enough to use several times per training step. Workers spin briefly
 * on a generation counter, then park; the caller spins briefly on the completion count, then
 * yields. The first exception thrown by any body is rethrown to the caller; a closed runner
 * refuses new work.
 */
final class ParallelRunner implements AutoCloseable {

  private static final int SPINS = 20_000;

  private final int n;
  private final Thread[] workers;
  private final AtomicInteger done = new AtomicInteger();
  private volatile IntConsumer task;
  private volatile long generation;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
      new java.util.concurrent.atomic.AtomicReference<>();

  ParallelRunner(int n, String name) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    this.n = n;
    this.workers = new Thread[n - 1];
    for (int k = 1; k < n; k++) {
      int id = k;
      Thread t = new Thread(() -> loop(id), name + "-" + k);
      t.setDaemon(true);
      workers[k - 1] = t;
      t.start();
    }
  }

  int threads() {
    return n;
  }

  void run(IntConsumer body) {
    if (closed) {
      throw new IllegalStateException("the trainer's threads were shut down");
    }
    if (n == 1) {
      body.accept(0);
      return;
    }
    failure.set(null);
    done.set(0);
    task = body;
    generation++;                                    // volatile write publishes task and reset
    for (Thread t : workers) {
      LockSupport.unpark(t);
    }
    try {
      body.accept(0);
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
    int spins = 0;
    while (done.get() < n - 1) {
      if (++spins < SPINS) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    Throwable f = failure.get();
    if (f != null) {
      if (f instanceof RuntimeException re) {
        throw re;
      }
      if (f instanceof Error err) {
        throw err;
      }
      throw new RuntimeException(f);
    }
  }

  private void loop(int id) {
    long seen = 0;
    while (true) {
      int spins = 0;
      while (generation == seen && !closed) {
        if (++spins < SPINS) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      if (closed) {
        return;
      }
      seen = generation;
      try {
        task.accept(id);
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
      done.incrementAndGet();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : workers) {
      LockSupport.unpark(t);
    }
  }
}
