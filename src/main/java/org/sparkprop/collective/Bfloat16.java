package org.sparkprop.collective;

/**
 * bfloat16: the upper 16 bits of a float32 (sign, 8 exponent bits, 7 mantissa bits), so it keeps
 * float32's range at half the bytes. Encoding rounds to nearest, ties to even; NaN stays NaN and
 * ±Infinity stay infinite.
 */
final class Bfloat16 {

  private Bfloat16() {}

  static short encode(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);            // a quiet NaN, whatever its payload
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);          // to nearest, ties to even
    return (short) ((bits + rounding) >>> 16);
  }

  static float decode(short h) {
    return Float.intBitsToFloat((h & 0xFFFF) << 16);
  }
}
