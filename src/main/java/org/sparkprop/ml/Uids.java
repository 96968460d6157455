package org.sparkprop.ml;

/**
 * Gets a Java Params class its uid before its superclass constructor runs.
 *
 * <p>Spark's shared params (featuresCol, labelCol, ...) are Scala trait vals created inside the
 * superclass constructor with {@code new Param(this, ...)}, which reads {@code this.uid()} at once.
 * A Java subclass cannot assign a field before {@code super()}, so {@code uid()} would return null
 * and every shared param would belong to "null", making {@code set(featuresCol, ...)} fail. The
 * public {@code (String uid)} constructor therefore passes the uid through {@link #stash}, which
 * parks it in a thread-local while the constructor's own {@code this(...)} call runs; {@code uid()}
 * takes it from there during super construction.
 */
final class Uids {

  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  /** Marker proving the uid was stashed; passed to the private constructor. */
  static final class Token {
    private final String uid;

    private Token(String uid) {
      this.uid = uid;
    }

    /** The stashed uid; clears the thread-local (call once, after {@code super()}). */
    String take() {
      PENDING.remove();
      return uid;
    }
  }

  private Uids() {}

  static Token stash(String uid) {
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("uid must not be empty");
    }
    PENDING.set(uid);
    return new Token(uid);
  }

  /** The uid being constructed on this thread (used by uid() while the field is still unset). */
  static String pending() {
    String uid = PENDING.get();
    if (uid == null) {
      throw new IllegalStateException("uid requested outside construction");
    }
    return uid;
  }

  static String random(String prefix) {
    return org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID(prefix);
  }
}
