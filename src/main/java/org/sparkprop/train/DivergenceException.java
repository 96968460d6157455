package org.sparkprop.train;

/**
 * Training produced a non-finite loss or gradient. Names the step; the weights of the last good
 * step (and the last checkpoint) are untouched.
 */
public final class DivergenceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long step;

  public DivergenceException(long step, String what) {
    this(step, what, true);
  }

  /**
   * @param weightsIntact whether the in-memory weights are still those of the previous step (false
   *     when the update itself overflowed; the last checkpoint is intact either way)
   */
  public DivergenceException(long step, String what, boolean weightsIntact) {
    super("Training diverged at step " + step + ": " + what + ". "
        + (weightsIntact ? "The update was not applied: the weights are those of step " + (step - 1)
            + ", and the last checkpoint is intact."
            : "The weights in memory are unusable; the last checkpoint is intact.")
        + " Lower the learning rate, add gradient clipping (clipNorm), or set onDivergence=skip to "
        + "skip such steps and halve the learning rate.");
    this.step = step;
  }

  public long step() {
    return step;
  }
}
