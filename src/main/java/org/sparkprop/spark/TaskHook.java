package org.sparkprop.spark;

import java.io.Serializable;

/**
 * Runs at the start of every training task, on the executor: the place to inject faults in
 * reliability tests (as Spark's own FailureSuite and DL4J's FailureTestingListener do) or to
 * observe where tasks run. Must be serialisable and cheap; the default trainer has none.
 */
@FunctionalInterface
public interface TaskHook extends Serializable {

  /**
   * @param partition the partition the task works on
   * @param firstStep the first global step of the task's job
   * @param attempt Spark's attempt number of the task (0 for the first)
   */
  void beforeTask(int partition, long firstStep, int attempt) throws Exception;
}
