package dev.clipsearch.core;

/**
 * One image ready for the CLIP vision tower: {@code pixel_values} for a single image, laid out
 * channel-first (CHW: all red values row by row, then green, then blue), float32, {@code 3 * size *
 * size} values.
 *
 * <p>The array is owned by this record and not copied; callers must not modify it while others read
 * it.
 *
 * @param inputName name of the input the pixels came from (for error reporting downstream)
 * @param size side of the square image in pixels
 * @param pixels CHW pixel values, length {@code 3 * size * size}
 */
public record PreprocessedImage(String inputName, int size, float[] pixels) {

    /**
     * Validates the pixel array length.
     *
     * @param inputName name of the input the pixels came from
     * @param size side of the square image in pixels
     * @param pixels CHW pixel values, length {@code 3 * size * size}
     * @throws IllegalArgumentException if {@code size} is not positive or {@code pixels} has the
     *     wrong length
     */
    public PreprocessedImage {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        if (pixels == null || pixels.length != 3 * size * size) {
            throw new IllegalArgumentException(
                    "pixels must hold 3*"
                            + size
                            + "*"
                            + size
                            + " values, got "
                            + (pixels == null ? "null" : pixels.length));
        }
    }
}
