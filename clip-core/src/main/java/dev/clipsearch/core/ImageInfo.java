package dev.clipsearch.core;

/**
 * Format and size of an encoded image, read from its header without decoding the pixels.
 *
 * <p>Width and height are the dimensions {@link ClipImages#decode(byte[], String)} returns, that is
 * after the EXIF orientation has been applied (orientations 5 to 8 swap the stored width and
 * height).
 *
 * @param format lower-case format name: {@code png}, {@code jpeg}, {@code gif}, {@code bmp}, {@code
 *     tiff}, {@code webp} (or another name an installed ImageIO plugin reports)
 * @param width width in pixels after EXIF orientation
 * @param height height in pixels after EXIF orientation
 */
public record ImageInfo(String format, int width, int height) {

    /**
     * Number of pixels, {@code width * height}, as a {@code long}.
     *
     * @return the pixel count
     */
    public long pixelCount() {
        return (long) width * height;
    }
}
