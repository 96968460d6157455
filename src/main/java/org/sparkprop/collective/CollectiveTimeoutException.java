package org.sparkprop.collective;

import java.io.IOException;

/** A collective call that did not finish in time: the message names the peer it waited for. */
public final class CollectiveTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  public CollectiveTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
