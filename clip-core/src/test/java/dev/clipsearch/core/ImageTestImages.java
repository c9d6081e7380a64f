package dev.clipsearch.core;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Builds small test images in memory with the JDK's ImageIO writers, plus byte-level helpers
 * (segments, chunks).
 */
final class ImageTestImages {

    static final int RED = 0xFF0000;
    static final int GREEN = 0x00FF00;
    static final int BLUE = 0x0000FF;
    static final int YELLOW = 0xFFFF00;

    private ImageTestImages() {}

    /** Four quadrants: red top-left, green top-right, blue bottom-left, yellow bottom-right. */
    static BufferedImage quadrants(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean right = x >= w / 2;
                boolean bottom = y >= h / 2;
                int rgb = bottom ? (right ? YELLOW : BLUE) : (right ? GREEN : RED);
                img.setRGB(x, y, 0xFF000000 | rgb);
            }
        }
        return img;
    }

    /** Encodes with the first ImageIO writer for {@code format} (JDK or TwelveMonkeys). */
    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException(
                        "no " + format + " writer for image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JPEG at the given quality, optionally progressive, written by the JDK's own writer. */
    static byte[] jpeg(BufferedImage image, float quality, boolean progressive) {
        ImageWriter writer = jdkJpegWriter();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            } else {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /**
     * An Adobe CMYK JPEG (APP14, transform 0, samples stored inverted as Photoshop does) with the
     * quadrant colours, written as a raw 4-band raster by the JDK writer and given its APP14
     * segment here.
     */
    static byte[] adobeCmykJpeg(int w, int h) {
        java.awt.image.WritableRaster raster =
                java.awt.image.Raster.createInterleavedRaster(
                        java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
        BufferedImage rgb = quadrants(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = rgb.getRGB(x, y);
                int c = 255 - ((p >> 16) & 0xFF);
                int m = 255 - ((p >> 8) & 0xFF);
                int ye = 255 - (p & 0xFF);
                raster.setPixel(
                        x, y, new int[] {255 - c, 255 - m, 255 - ye, 255}); // inverted, K = 0
            }
        }
        ImageWriter writer = jdkJpegWriter();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), param);
            out.flush();
            byte[] adobe = {
                'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0
            }; // version 100, flags 0, transform 0
            return insertJpegSegment(bytes.toByteArray(), 0xEE, adobe);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter fallback = null;
        while (writers.hasNext()) {
            ImageWriter w = writers.next();
            if (w.getClass().getName().startsWith("com.sun.") && fallback == null) {
                fallback = w;
            } else {
                w.dispose();
            }
        }
        if (fallback == null) {
            throw new IllegalStateException("JDK JPEG writer not found");
        }
        return fallback;
    }

    /** Inserts a marker segment right after the JPEG SOI marker. */
    static byte[] insertJpegSegment(byte[] jpeg, int marker, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + payload.length + 4);
        out.put(jpeg, 0, 2);
        out.put((byte) 0xFF).put((byte) marker).putShort((short) (payload.length + 2)).put(payload);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /**
     * A big-endian TIFF structure with one IFD0 entry: Orientation (0x0112, SHORT) = {@code
     * orientation}.
     */
    static byte[] tiffWithOrientation(int orientation) {
        ByteBuffer b = ByteBuffer.allocate(26);
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // header, IFD0 at 8
        b.putShort((short) 1); // one entry
        b.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        b.putInt(0); // no next IFD
        return b.array();
    }

    /** JPEG APP1 payload "Exif\0\0" + TIFF with the orientation tag. */
    static byte[] exifApp1(int orientation) {
        byte[] tiff = tiffWithOrientation(orientation);
        byte[] payload = new byte[6 + tiff.length];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, payload, 0, 6);
        System.arraycopy(tiff, 0, payload, 6, tiff.length);
        return payload;
    }

    /** 8-bit gray + alpha (Pillow's LA, or La when premultiplied). */
    static java.awt.image.ComponentColorModel grayAlphaModel(boolean premultiplied) {
        return new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY),
                true,
                premultiplied,
                java.awt.Transparency.TRANSLUCENT,
                java.awt.image.DataBuffer.TYPE_BYTE);
    }

    /** Inserts a PNG chunk right after IHDR, with a correct CRC. */
    static byte[] insertPngChunk(byte[] png, String type, byte[] data) {
        int afterIhdr = 8 + 8 + 13 + 4;
        ByteBuffer out = ByteBuffer.allocate(png.length + data.length + 12);
        out.put(png, 0, afterIhdr);
        out.putInt(data.length);
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        out.put(typeBytes).put(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.putInt((int) crc.getValue());
        out.put(png, afterIhdr, png.length - afterIhdr);
        return out.array();
    }

    /** Writes a single-frame GIF with the JDK writer (which then uses the image's own palette). */
    static byte[] gif(BufferedImage indexed) {
        return encode(indexed, "gif");
    }

    /**
     * Patches a GIF so its logical screen is {@code screenW x screenH} and its first frame sits at
     * {@code (left, top)}: the layout of an optimised animation whose first frame does not cover
     * the screen.
     */
    static byte[] moveFirstGifFrame(byte[] gif, int screenW, int screenH, int left, int top) {
        byte[] out = gif.clone();
        putLe16(out, 6, screenW);
        putLe16(out, 8, screenH);
        int flags = out[10] & 0xFF;
        int p = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        while (out[p] == 0x21) { // extension: label, then sub-blocks
            p += 2;
            while ((out[p] & 0xFF) != 0) {
                p += (out[p] & 0xFF) + 1;
            }
            p++;
        }
        if (out[p] != 0x2C) {
            throw new IllegalStateException("no image descriptor at " + p);
        }
        putLe16(out, p + 1, left);
        putLe16(out, p + 3, top);
        return out;
    }

    private static void putLe16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >> 8);
    }

    /**
     * A PNG signature and IHDR (8-bit RGB) declaring {@code w x h}, with a correct CRC and nothing
     * after it.
     */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr =
                ByteBuffer.allocate(13)
                        .putInt(w)
                        .putInt(h)
                        .put((byte) 8)
                        .put((byte) 2)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0);
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        ByteBuffer out = ByteBuffer.allocate(8 + 12 + 13);
        out.put(sig).putInt(13);
        byte[] type = "IHDR".getBytes(StandardCharsets.ISO_8859_1);
        out.put(type).put(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(ihdr.array());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /**
     * A palette image (TYPE_BYTE_INDEXED, 256 entries as the GIF writer needs) with the given
     * colours and per-entry alpha; entries past the given ones are opaque black.
     */
    static BufferedImage paletteWithTransparency(
            int w, int h, int[] rgbPalette, byte[] alphas, int[] indices) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        byte[] a = new byte[256];
        java.util.Arrays.fill(a, (byte) 255);
        for (int i = 0; i < rgbPalette.length; i++) {
            r[i] = (byte) (rgbPalette[i] >> 16);
            g[i] = (byte) (rgbPalette[i] >> 8);
            b[i] = (byte) rgbPalette[i];
            a[i] = alphas[i];
        }
        IndexColorModel icm = new IndexColorModel(8, 256, r, g, b, a);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, icm);
        img.getRaster().setSamples(0, 0, w, h, 0, indices);
        return img;
    }

    static byte[] resource(String path) {
        try (InputStream in = ImageTestImages.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts-free helper: max per-channel absolute difference between two packed RGB values. */
    static int channelDiff(int a, int b) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d = Math.max(d, Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)));
        }
        return d;
    }
}
