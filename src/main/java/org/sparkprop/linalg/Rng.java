package org.sparkprop.linalg;

/**
 * A small, fast, reseedable pseudo-random generator (SplitMix64) and the seed-derivation function
 * every random stream in Sparkprop comes from.
 *
 * <p>Determinism rule: randomness is never drawn from a shared, ever-advancing generator. Each use
 * derives its own stream from the root seed and the coordinates of the work, e.g.
 * {@code Rng.derive(seed, Rng.SHUFFLE, epoch, partition)}, so a retried Spark task or a resumed run
 * draws exactly the same numbers. {@link #reseed} lets hot loops reuse one object without allocating.
 */
public final class Rng {

  /** Purposes, mixed into derived seeds so that streams for different uses never coincide. */
  public static final long INIT = 0x1A17L;
  public static final long SHUFFLE = 0x5AFFL;
  public static final long DROPOUT = 0xD50FL;
  public static final long SPLIT = 0x5B17L;
  public static final long AUGMENT = 0xA06EL;
  public static final long SAMPLE = 0x5A3BL;
  public static final long SEARCH = 0x5EA5L;

  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** Restarts this generator as if it were {@code new Rng(seed)}. */
  public void reseed(long seed) {
    this.state = seed;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x100000000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** Standard normal draw (Box–Muller, one value per call, so no cached state). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble();          // (0, 1]: log is finite
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle of {@code a[0..n)} in place. */
  public void shuffle(int[] a, int n) {
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** A seed for the stream identified by {@code parts}, a strong hash of all of them. */
  public static long derive(long seed, long... parts) {
    long h = mix(seed ^ 0x6A09E667F3BCC909L);
    for (long p : parts) {
      h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  /** Allocation-free two-part form of {@link #derive}, for hot loops. */
  public static long derive2(long seed, long a, long b) {
    long h = mix(seed ^ 0x6A09E667F3BCC909L);
    h = mix(h ^ mix(a + 0x9E3779B97F4A7C15L));
    return mix(h ^ mix(b + 0x9E3779B97F4A7C15L));
  }

  /** The SplitMix64 finaliser: a bijective avalanche mix of 64 bits. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
