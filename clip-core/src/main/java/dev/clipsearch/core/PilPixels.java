package dev.clipsearch.core;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Turns any {@link BufferedImage} into packed, non-premultiplied ARGB pixels the way Pillow's mode
 * conversions to {@code RGBA} would, reading raw samples instead of going through Java2D colour
 * management: grayscale is replicated (java.awt would apply a linear-to-sRGB gamma curve to {@code
 * TYPE_BYTE_GRAY}), palettes keep their tRNS alpha, CMYK uses Pillow's naive {@code cmyk2rgb},
 * 16-bit RGB/RGBA/LA keep the high byte (Pillow's {@code ;16B} unpackers) and 16-bit grayscale
 * without alpha is clamped to 255 (Pillow's {@code I;16 -> L/RGB} conversion clamps, it does not
 * scale). Embedded ICC profiles are ignored, as Pillow and transformers ignore them.
 */
final class PilPixels {

    private PilPixels() {}

    /**
     * Packed pixels of one image.
     *
     * @param argb {@code 0xAARRGGBB}, row-major, {@code width * height}; bits 24..31 are undefined
     *     when {@code hasAlpha} is false
     * @param hasAlpha whether the source had an alpha channel (palette transparency included)
     */
    record Pixels(int width, int height, int[] argb, boolean hasAlpha) {}

    /**
     * Reads {@code image} into packed ARGB (CMYK as ink values). May share the image's pixel array:
     * do not modify.
     */
    static Pixels read(BufferedImage image) {
        return read(image, false);
    }

    /**
     * Reads {@code image} into packed ARGB. The result may share the image's own pixel array: do
     * not modify it.
     *
     * @param invertedCmyk whether CMYK samples are stored inverted (Adobe JPEGs; Pillow's "CMYK;I"
     *     raw mode)
     */
    static Pixels read(BufferedImage image, boolean invertedCmyk) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] shared = directIntArray(image);
        if (shared != null) {
            return new Pixels(w, h, shared, image.getType() == BufferedImage.TYPE_INT_ARGB);
        }
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int[] out = new int[Math.multiplyExact(w, h)];
        if (cm.hasAlpha() && cm.isAlphaPremultiplied()) {
            unpremultiply(cm, raster, out);
            return new Pixels(w, h, out, true);
        }
        if (cm instanceof IndexColorModel icm) {
            int[] palette = new int[icm.getMapSize()];
            icm.getRGBs(palette);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
                int base = y * w;
                for (int x = 0; x < w; x++) {
                    int idx = row[x];
                    out[base + x] = idx < palette.length ? palette[idx] : 0xFF000000;
                }
            }
            return new Pixels(w, h, out, icm.hasAlpha());
        }
        if (cm instanceof ComponentColorModel
                && !cm.isAlphaPremultiplied()
                && readComponents(cm, raster, out, invertedCmyk)) {
            return new Pixels(w, h, out, cm.hasAlpha());
        }
        // Packed (DirectColorModel) and anything exotic: let Java2D convert to sRGB.
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            System.arraycopy(row, 0, out, y * w, w);
        }
        if (!cm.hasAlpha()) {
            for (int i = 0; i < out.length; i++) {
                out[i] |= 0xFF000000;
            }
        }
        return new Pixels(w, h, out, cm.hasAlpha());
    }

    /** The backing array of a plain TYPE_INT_RGB / TYPE_INT_ARGB image with no offsets, or null. */
    private static int[] directIntArray(BufferedImage image) {
        int type = image.getType();
        if (type != BufferedImage.TYPE_INT_RGB && type != BufferedImage.TYPE_INT_ARGB) {
            return null;
        }
        Raster raster = image.getRaster();
        if (!(raster.getDataBuffer() instanceof DataBufferInt db)
                || db.getNumBanks() != 1
                || db.getOffset() != 0
                || !(raster.getSampleModel() instanceof SinglePixelPackedSampleModel sm)
                || sm.getScanlineStride() != image.getWidth()
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0
                || raster.getMinX() != 0
                || raster.getMinY() != 0
                || db.getData().length != image.getWidth() * image.getHeight()) {
            return null;
        }
        int[] data = db.getData();
        return data;
    }

    /**
     * Raw-sample conversion for gray, gray+alpha, RGB, RGBA and CMYK component images; false if not
     * applicable.
     */
    private static boolean readComponents(
            ColorModel cm, Raster raster, int[] out, boolean invertedCmyk) {
        int csType = cm.getColorSpace().getType();
        int bands = raster.getNumBands();
        int transfer = raster.getTransferType();
        if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT) {
            return false;
        }
        int colorBands = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha();
        if (bands != colorBands + (alpha ? 1 : 0)) {
            return false;
        }
        boolean gray = csType == ColorSpace.TYPE_GRAY && colorBands == 1;
        boolean rgb = csType == ColorSpace.TYPE_RGB && colorBands == 3;
        boolean cmyk = csType == ColorSpace.TYPE_CMYK && colorBands == 4;
        if (!gray && !rgb && !cmyk) {
            return false;
        }
        int[] bits = cm.getComponentSize();
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[][] samples = new int[bands][w];
        int[] shift = new int[bands];
        for (int b = 0; b < bands; b++) {
            if (bits[b] < 1 || bits[b] > 16) {
                return false;
            }
        }
        boolean clampGray16 = gray && !alpha && bits[0] == 16; // Pillow I;16 -> L clamps
        ByteRows direct = ByteRows.of(raster, bits);
        for (int y = 0; y < h; y++) {
            for (int b = 0; b < bands; b++) {
                if (direct != null) {
                    direct.read(y, b, samples[b]);
                } else {
                    raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, b, samples[b]);
                    to8Bit(samples[b], bits[b], clampGray16);
                }
            }
            int base = y * w;
            for (int x = 0; x < w; x++) {
                int a = alpha ? samples[bands - 1][x] : 0xFF;
                int r;
                int g;
                int bl;
                if (gray) {
                    r = g = bl = samples[0][x];
                } else if (rgb) {
                    r = samples[0][x];
                    g = samples[1][x];
                    bl = samples[2][x];
                } else {
                    int inv = invertedCmyk ? 255 : 0;
                    int nk = 255 - (samples[3][x] ^ inv);
                    r = nk - mulDiv255(samples[0][x] ^ inv, nk);
                    g = nk - mulDiv255(samples[1][x] ^ inv, nk);
                    bl = nk - mulDiv255(samples[2][x] ^ inv, nk);
                }
                out[base + x] = (a << 24) | (r << 16) | (g << 8) | bl;
            }
        }
        return true;
    }

    /**
     * Direct access to 8-bit pixel-interleaved byte rasters (the common case), bypassing
     * SampleModel calls.
     */
    private record ByteRows(
            byte[] data, int base, int scanline, int pixelStride, int[] bandOffsets, int width) {

        static ByteRows of(Raster raster, int[] bits) {
            for (int b : bits) {
                if (b != 8) {
                    return null;
                }
            }
            if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                    || !(raster.getDataBuffer() instanceof DataBufferByte db)
                    || db.getNumBanks() != 1) {
                return null;
            }
            int base =
                    db.getOffset()
                            - raster.getSampleModelTranslateY() * sm.getScanlineStride()
                            - raster.getSampleModelTranslateX() * sm.getPixelStride()
                            + raster.getMinY() * sm.getScanlineStride()
                            + raster.getMinX() * sm.getPixelStride();
            return new ByteRows(
                    db.getData(),
                    base,
                    sm.getScanlineStride(),
                    sm.getPixelStride(),
                    sm.getBandOffsets(),
                    raster.getWidth());
        }

        void read(int y, int band, int[] out) {
            int p = base + y * scanline + bandOffsets[band];
            for (int x = 0; x < width; x++, p += pixelStride) {
                out[x] = data[p] & 0xFF;
            }
        }
    }

    private static void to8Bit(int[] values, int bits, boolean clamp) {
        if (bits == 8) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (bits == 16) {
                values[i] = clamp ? Math.min(v, 255) : v >> 8;
            } else if (bits > 8) {
                values[i] = v >> (bits - 8);
            } else {
                values[i] = (v * 255 + ((1 << bits) - 1) / 2) / ((1 << bits) - 1);
            }
        }
    }

    /**
     * Premultiplied images (Pillow's RGBa and La) from their stored samples, the way Pillow's
     * {@code rgba2rgb_} / {@code rgba2rgbA} do it: {@code 255 * c / a} truncated and clipped,
     * stored values kept where alpha is 0 or 255. Gray is replicated; samples wider than 8 bits
     * keep their high byte.
     */
    private static void unpremultiply(ColorModel cm, Raster raster, int[] out) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands(); // colour bands, then alpha (DirectColorModel: R, G, B, A)
        int[] bits = cm.getComponentSize();
        int[][] samples = new int[bands][w];
        for (int y = 0; y < h; y++) {
            for (int b = 0; b < bands; b++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, b, samples[b]);
                int shift = Math.max(0, bits[Math.min(b, bits.length - 1)] - 8);
                if (shift > 0) {
                    for (int x = 0; x < w; x++) {
                        samples[b][x] >>= shift;
                    }
                }
            }
            int[] alpha = samples[bands - 1];
            boolean gray = bands == 2;
            int base = y * w;
            for (int x = 0; x < w; x++) {
                int a = alpha[x] & 0xFF;
                int r = unpremultiply(samples[0][x], a);
                int g = gray ? r : unpremultiply(samples[1][x], a);
                int b = gray ? r : unpremultiply(samples[2][x], a);
                out[base + x] = (a << 24) | (r << 16) | (g << 8) | b;
            }
        }
    }

    private static int unpremultiply(int c, int a) {
        if (a == 0 || a == 255) {
            return c & 0xFF;
        }
        return Math.min(255, 255 * c / a);
    }

    /** Pillow's MULDIV255: a * b / 255, rounded. */
    static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }
}
