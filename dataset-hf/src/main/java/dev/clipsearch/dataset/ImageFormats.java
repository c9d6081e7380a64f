package dev.clipsearch.dataset;

import java.util.HexFormat;

/**
 * Recognises encoded images by their magic bytes (PNG, JPEG, GIF, BMP, WebP, TIFF), without
 * decoding them.
 */
final class ImageFormats {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
    private static final byte[] GIF87 = {'G', 'I', 'F', '8', '7', 'a'};
    private static final byte[] GIF89 = {'G', 'I', 'F', '8', '9', 'a'};
    private static final byte[] BMP = {'B', 'M'};
    private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
    private static final byte[] WEBP = {'W', 'E', 'B', 'P'};
    private static final byte[] TIFF_LE = {'I', 'I', '*', 0};
    private static final byte[] TIFF_BE = {'M', 'M', 0, '*'};

    private ImageFormats() {}

    /**
     * The format's name ("png", "jpeg", ...), or null when the bytes don't start like a known image
     * format.
     */
    static String sniff(byte[] bytes) {
        if (startsWith(bytes, 0, PNG)) {
            return "png";
        }
        if (startsWith(bytes, 0, JPEG)) {
            return "jpeg";
        }
        if (startsWith(bytes, 0, GIF87) || startsWith(bytes, 0, GIF89)) {
            return "gif";
        }
        if (startsWith(bytes, 0, RIFF) && startsWith(bytes, 8, WEBP)) {
            return "webp";
        }
        if (startsWith(bytes, 0, TIFF_LE) || startsWith(bytes, 0, TIFF_BE)) {
            return "tiff";
        }
        if (startsWith(bytes, 0, BMP) && bytes.length >= 26) {
            return "bmp";
        }
        return null;
    }

    /** Why {@code image} is not usable as an image, or null when it looks like one. */
    static String problem(byte[] image) {
        if (image == null) {
            return "image is null";
        }
        if (image.length == 0) {
            return "image is empty (0 bytes)";
        }
        if (sniff(image) == null) {
            int n = Math.min(image.length, 8);
            return "not an image ("
                    + image.length
                    + " bytes starting with 0x"
                    + HexFormat.of().formatHex(image, 0, n)
                    + "; expected PNG, JPEG, GIF, BMP, WebP or TIFF)";
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] magic) {
        if (bytes == null || bytes.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (bytes[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
