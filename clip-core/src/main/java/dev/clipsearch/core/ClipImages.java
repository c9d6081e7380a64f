package dev.clipsearch.core;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes encoded images the way the Python CLIP pipeline sees them (Pillow + transformers), so
 * that embeddings computed in Java match those computed in Python.
 *
 * <p>Formats: PNG (8/16-bit, gray, gray+alpha, palette with transparency, RGB, RGBA), JPEG
 * (baseline, progressive, grayscale, CMYK and YCCK, Adobe-inverted CMYK included), GIF (first
 * frame), BMP, TIFF and WebP (lossy and lossless, through TwelveMonkeys ImageIO). Pixel values are
 * taken as stored, like Pillow: embedded ICC profiles are ignored, grayscale is replicated to RGB
 * without gamma, CMYK is converted with Pillow's simple formula, 16-bit samples keep their high
 * byte except 16-bit grayscale without alpha, which Pillow clamps to 255.
 *
 * <p>The EXIF orientation (tags 1 to 8, from JPEG, PNG, WebP and TIFF metadata) is applied, as
 * transformers' {@code load_image} does with {@code ImageOps.exif_transpose}.
 *
 * <p>Every failure is an {@link ImageDecodeException} naming the input: empty, corrupt or truncated
 * data, unknown or unsupported formats, and images whose header declares more than {@link
 * #DEFAULT_MAX_PIXELS} pixels (refused before any pixel is decoded, so a small malicious file
 * cannot allocate gigabytes). All methods are thread-safe.
 */
public final class ClipImages {

    /**
     * Largest image, in pixels ({@code width * height}), that {@link #decode(byte[], String)}
     * accepts: 100 million, about 400 MB of decoded ARGB. Larger images are refused from their
     * header, before decoding.
     */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private ClipImages() {}

    /**
     * Decodes an encoded image and applies its EXIF orientation.
     *
     * @param bytes the encoded image (PNG, JPEG, GIF, BMP, TIFF or WebP)
     * @param inputName a name for the input used in error messages (file path, dataset row, URL)
     * @return a {@code TYPE_INT_RGB} image, or {@code TYPE_INT_ARGB} (not premultiplied) when some
     *     pixel is not fully opaque
     * @throws ImageDecodeException if the bytes are not a decodable image or exceed {@link
     *     #DEFAULT_MAX_PIXELS}
     */
    public static BufferedImage decode(byte[] bytes, String inputName) {
        return decode(bytes, inputName, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes an encoded image with a caller-chosen pixel limit.
     *
     * @param bytes the encoded image
     * @param inputName a name for the input used in error messages
     * @param maxPixels largest accepted {@code width * height}, checked against the header before
     *     decoding
     * @return a {@code TYPE_INT_RGB} or {@code TYPE_INT_ARGB} image, EXIF orientation applied
     * @throws ImageDecodeException if the bytes are not a decodable image or exceed {@code
     *     maxPixels}
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static BufferedImage decode(byte[] bytes, String inputName, long maxPixels) {
        return ImageDecodingSupport.decode(bytes, inputName, maxPixels);
    }

    /**
     * Reads and decodes an image file; the file path is the input name in error messages.
     *
     * @param file the image file
     * @return a {@code TYPE_INT_RGB} or {@code TYPE_INT_ARGB} image, EXIF orientation applied
     * @throws ImageDecodeException if the file cannot be read or is not a decodable image
     */
    public static BufferedImage decode(Path file) {
        return decode(readFile(file), file.toString());
    }

    /**
     * Reads the format and size of an encoded image from its header, without decoding the pixels
     * and without a pixel limit.
     *
     * @param bytes the encoded image
     * @param inputName a name for the input used in error messages
     * @return format and size (after EXIF orientation, so it matches {@link #decode(byte[],
     *     String)})
     * @throws ImageDecodeException if the bytes are not a recognised image or the header is corrupt
     */
    public static ImageInfo probe(byte[] bytes, String inputName) {
        return ImageDecodingSupport.probe(bytes, inputName);
    }

    static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageDecodeException(file.toString(), "cannot read file: " + e, e);
        }
    }
}
