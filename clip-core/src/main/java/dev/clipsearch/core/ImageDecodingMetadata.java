package dev.clipsearch.core;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metadata Pillow acts on that ImageIO readers leave alone, read straight from the encoded bytes:
 * the EXIF orientation (tag 0x0112), applied like Pillow's {@code ImageOps.exif_transpose} (JPEG
 * APP1 "Exif" with XMP {@code tiff:Orientation} as a fallback as Pillow does, PNG {@code eXIf},
 * WebP {@code EXIF}, TIFF's own first IFD); the Adobe APP14 marker of JPEGs (inverted CMYK); and
 * the tRNS colour key of 8-bit gray and RGB PNGs. Malformed metadata is ignored.
 */
final class ImageDecodingMetadata {

    private static final Pattern XMP_ORIENTATION =
            Pattern.compile("tiff:Orientation(?:=\"|>)([0-9])");

    private ImageDecodingMetadata() {}

    /** EXIF orientation 1..8 of the encoded image, 1 when absent or unreadable. */
    static int orientation(byte[] b) {
        try {
            int o;
            if (b.length >= 4 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
                o = jpegOrientation(b);
            } else if (b.length >= 8
                    && (b[0] & 0xFF) == 0x89
                    && b[1] == 'P'
                    && b[2] == 'N'
                    && b[3] == 'G') {
                o = pngOrientation(b);
            } else if (b.length >= 12
                    && b[0] == 'R'
                    && b[1] == 'I'
                    && b[2] == 'F'
                    && b[3] == 'F'
                    && b[8] == 'W'
                    && b[9] == 'E'
                    && b[10] == 'B'
                    && b[11] == 'P') {
                o = webpOrientation(b);
            } else if (b.length >= 8
                    && ((b[0] == 'I' && b[1] == 'I') || (b[0] == 'M' && b[1] == 'M'))) {
                o = tiffOrientation(b, 0, b.length);
            } else {
                o = 1;
            }
            return o >= 1 && o <= 8 ? o : 1;
        } catch (RuntimeException malformed) {
            return 1;
        }
    }

    /** Receives JPEG marker segments before the first scan; return false to stop. */
    @FunctionalInterface
    interface JpegSegmentVisitor {
        boolean visit(int marker, int dataStart, int dataEnd);
    }

    /** Walks the marker segments of a JPEG up to the start of scan, tolerating truncation. */
    static void forEachJpegSegment(byte[] b, JpegSegmentVisitor visitor) {
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xFF) != 0xFF) {
                return;
            }
            int marker = b[p + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                p++;
                continue;
            }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                p += 2;
                continue;
            }
            if (marker == 0xDA
                    || marker == 0xD9) { // start of scan / end of image: no more metadata
                return;
            }
            int len = u16be(b, p + 2);
            if (len < 2 || !visitor.visit(marker, p + 4, Math.min(b.length, p + 2 + len))) {
                return;
            }
            p += 2 + len;
        }
    }

    /**
     * Whether a JPEG carries an Adobe APP14 segment (Pillow then reads CMYK as inverted, "CMYK;I").
     */
    static boolean hasAdobeMarker(byte[] b) {
        boolean[] found = {false};
        forEachJpegSegment(
                b,
                (marker, data, end) -> {
                    found[0] = marker == 0xEE && startsWith(b, data, end, "Adobe");
                    return !found[0];
                });
        return found[0];
    }

    private static int jpegOrientation(byte[] b) {
        int[] result = {0, 0}; // exif, xmp
        forEachJpegSegment(
                b,
                (marker, data, end) -> {
                    if (marker == 0xE1 && startsWith(b, data, end, "Exif\0\0")) {
                        result[0] = tiffOrientation(b, data + 6, end);
                        return false;
                    }
                    if (marker == 0xE1 && result[1] == 0) {
                        result[1] = xmpOrientation(b, data, end);
                    }
                    return true;
                });
        return result[0] != 0 ? result[0] : result[1] != 0 ? result[1] : 1;
    }

    private static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int xmpOrientation(byte[] b, int from, int to) {
        if (!startsWith(b, from, to, "http://ns.adobe.com/xap/1.0/")) {
            return 0;
        }
        Matcher m =
                XMP_ORIENTATION.matcher(
                        new String(b, from, to - from, StandardCharsets.ISO_8859_1));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static int pngOrientation(byte[] b) {
        int p = 8;
        while (p + 8 <= b.length) {
            long len = u32be(b, p);
            if (len < 0 || len > b.length) {
                return 1;
            }
            if (b[p + 4] == 'e' && b[p + 5] == 'X' && b[p + 6] == 'I' && b[p + 7] == 'f') {
                int data = p + 8;
                int end = (int) Math.min(b.length, data + len);
                if (startsWith(b, data, end, "Exif\0\0")) {
                    data += 6; // some writers keep the JPEG "Exif\0\0" prefix
                }
                return tiffOrientation(b, data, end);
            }
            if (b[p + 4] == 'I' && b[p + 5] == 'E' && b[p + 6] == 'N' && b[p + 7] == 'D') {
                return 1;
            }
            p += 12 + (int) len;
        }
        return 1;
    }

    /**
     * The tRNS colour key of an 8-bit gray (colour type 0) or RGB (type 2) PNG as packed {@code
     * 0xRRGGBB}, or -1. Pillow turns pixels of exactly that colour transparent when converting to
     * RGBA.
     */
    static int pngColourKey(byte[] b) {
        if (!(b.length >= 33
                && (b[0] & 0xFF) == 0x89
                && b[1] == 'P'
                && b[2] == 'N'
                && b[3] == 'G')) {
            return -1;
        }
        int bitDepth = b[24] & 0xFF;
        int colourType = b[25] & 0xFF;
        if (bitDepth != 8 || (colourType != 0 && colourType != 2)) {
            return -1;
        }
        try {
            int p = 8;
            while (p + 8 <= b.length) {
                long len = u32be(b, p);
                if (len < 0 || p + 12 + len > b.length) {
                    return -1;
                }
                if (b[p + 4] == 't' && b[p + 5] == 'R' && b[p + 6] == 'N' && b[p + 7] == 'S') {
                    int d = p + 8;
                    if (colourType == 0 && len >= 2) {
                        int v = u16be(b, d);
                        return v > 255 ? -1 : v * 0x010101;
                    }
                    if (colourType == 2 && len >= 6) {
                        int r = u16be(b, d);
                        int g = u16be(b, d + 2);
                        int bl = u16be(b, d + 4);
                        return r > 255 || g > 255 || bl > 255 ? -1 : (r << 16) | (g << 8) | bl;
                    }
                    return -1;
                }
                if (b[p + 4] == 'I' && b[p + 5] == 'D' && b[p + 6] == 'A' && b[p + 7] == 'T') {
                    return -1; // tRNS must precede IDAT
                }
                p += 12 + (int) len;
            }
        } catch (RuntimeException malformed) {
            return -1;
        }
        return -1;
    }

    private static int webpOrientation(byte[] b) {
        int p = 12;
        while (p + 8 <= b.length) {
            long len = u32le(b, p + 4);
            if (len < 0 || len > b.length) {
                return 1;
            }
            int data = p + 8;
            if (b[p] == 'E' && b[p + 1] == 'X' && b[p + 2] == 'I' && b[p + 3] == 'F') {
                int end = (int) Math.min(b.length, data + len);
                if (startsWith(b, data, end, "Exif\0\0")) {
                    data += 6;
                }
                return tiffOrientation(b, data, end);
            }
            p = data + (int) len + (int) (len & 1);
        }
        return 1;
    }

    /** Orientation tag of IFD0 in a TIFF structure occupying {@code b[start, end)}. */
    private static int tiffOrientation(byte[] b, int start, int end) {
        if (end - start < 8) {
            return 1;
        }
        boolean little = b[start] == 'I' && b[start + 1] == 'I';
        boolean big = b[start] == 'M' && b[start + 1] == 'M';
        if (!little && !big) {
            return 1;
        }
        long ifd = u32(b, start + 4, little);
        if (ifd < 8 || start + ifd + 2 > end) {
            return 1;
        }
        int p = start + (int) ifd;
        int count = u16(b, p, little);
        p += 2;
        for (int i = 0; i < count && p + 12 <= end; i++, p += 12) {
            if (u16(b, p, little) == 0x0112) {
                int type = u16(b, p + 2, little);
                if (type == 3) { // SHORT
                    return u16(b, p + 8, little);
                }
                if (type == 4) { // LONG, seen from some writers
                    return (int) u32(b, p + 8, little);
                }
                return 1;
            }
        }
        return 1;
    }

    /**
     * Applies an EXIF orientation to packed pixels, as Pillow's exif_transpose (2 mirror, 3 rotate
     * 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90
     * counter-clockwise).
     *
     * @return the new pixels; width and height are swapped for orientations 5..8
     */
    static int[] transpose(int[] in, int w, int h, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return in;
        }
        int[] out = new int[in.length];
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        for (int y = 0; y < oh; y++) {
            int base = y * ow;
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> {
                        sx = w - 1 - y;
                        sy = x;
                    } // 8
                }
                out[base + x] = in[sy * w + sx];
            }
        }
        return out;
    }

    private static int u16be(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    private static long u32be(byte[] b, int p) {
        return ((long) (b[p] & 0xFF) << 24)
                | ((b[p + 1] & 0xFF) << 16)
                | ((b[p + 2] & 0xFF) << 8)
                | (b[p + 3] & 0xFF);
    }

    private static long u32le(byte[] b, int p) {
        return ((long) (b[p + 3] & 0xFF) << 24)
                | ((b[p + 2] & 0xFF) << 16)
                | ((b[p + 1] & 0xFF) << 8)
                | (b[p] & 0xFF);
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? ((b[p + 1] & 0xFF) << 8) | (b[p] & 0xFF) : u16be(b, p);
    }

    private static long u32(byte[] b, int p, boolean little) {
        return little ? u32le(b, p) : u32be(b, p);
    }
}
