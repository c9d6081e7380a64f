package dev.clipsearch.core;

import static dev.clipsearch.core.ImageTestImages.BLUE;
import static dev.clipsearch.core.ImageTestImages.GREEN;
import static dev.clipsearch.core.ImageTestImages.RED;
import static dev.clipsearch.core.ImageTestImages.YELLOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every format Pillow opens for CLIP decodes to the right pixels, the way Pillow would produce
 * them.
 */
class ImageFormatsTest {

    private static final int W = 64;
    private static final int H = 48;

    /**
     * Asserts the four quadrant centres (away from JPEG/WebP blur at the borders) within {@code
     * tolerance}.
     */
    private static void assertQuadrants(BufferedImage img, int tolerance) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[][] probes = {
            {w / 4, h / 4, RED},
            {3 * w / 4, h / 4, GREEN},
            {w / 4, 3 * h / 4, BLUE},
            {3 * w / 4, 3 * h / 4, YELLOW}
        };
        for (int[] p : probes) {
            int actual = img.getRGB(p[0], p[1]) & 0xFFFFFF;
            assertThat(ImageTestImages.channelDiff(actual, p[2]))
                    .as("pixel (%d,%d) = %06x, expected %06x", p[0], p[1], actual, p[2])
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    private static BufferedImage decode(byte[] bytes, String name) {
        BufferedImage img = ClipImages.decode(bytes, name);
        assertThat(img.getType()).isIn(BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB);
        return img;
    }

    @Test
    void pngRgbIsExact() {
        BufferedImage src = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                src.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        BufferedImage img = decode(ImageTestImages.encode(src, "png"), "rgb.png");
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                assertThat(img.getRGB(x, y)).isEqualTo(src.getRGB(x, y));
            }
        }
        assertThat(ClipImages.probe(ImageTestImages.encode(src, "png"), "rgb.png"))
                .isEqualTo(new ImageInfo("png", 37, 23));
    }

    @Test
    void pngGrayIsReplicatedWithoutGammaCurve() {
        BufferedImage src = new BufferedImage(256, 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 256; x++) {
            src.getRaster().setSample(x, 0, 0, x);
        }
        BufferedImage img = decode(ImageTestImages.encode(src, "png"), "gray.png");
        for (int x = 0; x < 256; x++) {
            assertThat(img.getRGB(x, 0) & 0xFFFFFF).as("gray %d", x).isEqualTo(x * 0x010101);
        }
        // a BufferedImage handed straight to the preprocessor is read the same way
        PreprocessedImage direct = ClipImagePreprocessor.openAiClip().preprocess(src, "gray");
        PreprocessedImage viaRgb = ClipImagePreprocessor.openAiClip().preprocess(img, "gray");
        assertThat(direct.pixels()).isEqualTo(viaRgb.pixels());
    }

    @Test
    void png16BitGrayIsClampedLikePillow() {
        BufferedImage src = new BufferedImage(6, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] values = {0, 100, 255, 256, 1000, 65535};
        src.getRaster().setSamples(0, 0, 6, 1, 0, values);
        BufferedImage img = decode(ImageTestImages.encode(src, "png"), "gray16.png");
        int[] expected = {0, 100, 255, 255, 255, 255}; // Pillow: I;16 -> L/RGB clamps at 255
        for (int x = 0; x < 6; x++) {
            assertThat(img.getRGB(x, 0) & 0xFFFFFF).isEqualTo(expected[x] * 0x010101);
        }
    }

    @Test
    void png16BitRgbKeepsHighByte() {
        ComponentColorModel cm =
                new ComponentColorModel(
                        ColorSpace.getInstance(ColorSpace.CS_sRGB),
                        false,
                        false,
                        java.awt.Transparency.OPAQUE,
                        DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0xFFFF, 0x8000, 0x00FF});
        raster.setPixel(1, 0, new int[] {0x1234, 0xABCD, 0x0100});
        BufferedImage src = new BufferedImage(cm, raster, false, null);
        BufferedImage img = decode(ImageTestImages.encode(src, "png"), "rgb16.png");
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF8000);
        assertThat(img.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0x12AB01);
    }

    @Test
    void pngGrayAlphaKeepsAlpha() {
        ComponentColorModel cm = ImageTestImages.grayAlphaModel(false);
        WritableRaster raster = cm.createCompatibleWritableRaster(3, 1);
        raster.setPixel(0, 0, new int[] {40, 255});
        raster.setPixel(1, 0, new int[] {40, 0});
        raster.setPixel(2, 0, new int[] {0, 128});
        BufferedImage src = new BufferedImage(cm, raster, false, null);
        BufferedImage img = decode(ImageTestImages.encode(src, "png"), "gray-alpha.png");
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_ARGB);
        assertThat(img.getRGB(0, 0)).isEqualTo(0xFF282828);
        assertThat(img.getRGB(1, 0) >>> 24).isZero();
        assertThat(img.getRGB(2, 0)).isEqualTo(0x80000000);
        // the colour under the alpha is kept: Pillow's convert("RGB") drops the alpha only
        assertThat(img.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0x282828);
    }

    /**
     * Gray and RGB PNGs with a tRNS colour key: Pillow makes that colour transparent in RGBA (the
     * colour stays, so convert("RGB") gives it back unchanged).
     */
    @Test
    void pngColourKeyTransparency() {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {7, 9});
        byte[] grayPng =
                ImageTestImages.insertPngChunk(
                        ImageTestImages.encode(gray, "png"), "tRNS", new byte[] {0, 7});
        BufferedImage g = decode(grayPng, "gray-trns.png");
        assertThat(g.getRGB(0, 0) >>> 24).isZero();
        assertThat(g.getRGB(1, 0)).isEqualTo(0xFF090909);

        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x102030);
        rgb.setRGB(1, 0, 0x102031);
        byte[] rgbPng =
                ImageTestImages.insertPngChunk(
                        ImageTestImages.encode(rgb, "png"),
                        "tRNS",
                        new byte[] {0, 0x10, 0, 0x20, 0, 0x30});
        BufferedImage c = decode(rgbPng, "rgb-trns.png");
        assertThat(c.getRGB(0, 0) >>> 24).isZero();
        assertThat(c.getRGB(1, 0)).isEqualTo(0xFF102031);
    }

    @Test
    void pngPaletteWithTransparencyKeepsThePaletteColourWhenPreprocessed() {
        int[] indices = new int[16 * 16];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (i % 16) < 8 ? 0 : 1; // left half transparent, right half opaque blue
        }
        BufferedImage src =
                ImageTestImages.paletteWithTransparency(
                        16, 16, new int[] {RED, BLUE}, new byte[] {0, (byte) 255}, indices);
        byte[] png = ImageTestImages.encode(src, "png");
        BufferedImage img = decode(png, "palette.png");
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_ARGB);
        assertThat(img.getRGB(0, 0) >>> 24).isZero();
        assertThat(img.getRGB(15, 15)).isEqualTo(0xFF000000 | BLUE);
        PreprocessedImage pre = ClipImagePreprocessor.openAiClip().preprocess(png, "palette.png");
        // top-left pixel: palette entry 0 (red) with its transparency dropped, as transformers'
        // convert_to_rgb (Pillow's convert("RGB")) does
        int plane = 224 * 224;
        assertThat(pre.pixels()[0]).isEqualTo((1f - 0.48145466f) / 0.26862954f);
        assertThat(pre.pixels()[plane]).isEqualTo((0f - 0.4578275f) / 0.26130258f);
        assertThat(pre.pixels()[2 * plane + 223])
                .isEqualTo((1f - 0.40821073f) / 0.27577711f); // blue side
        assertThat(pre.pixels()[223]).isEqualTo((0f - 0.48145466f) / 0.26862954f); // no red there
    }

    @Test
    void jpegBaselineProgressiveAndGray() {
        BufferedImage rgb = ImageTestImages.quadrants(W, H, BufferedImage.TYPE_INT_RGB);
        byte[] baseline = ImageTestImages.jpeg(rgb, 0.95f, false);
        byte[] progressive = ImageTestImages.jpeg(rgb, 0.95f, true);
        assertThat(containsMarker(progressive, 0xC2)).as("progressive SOF2").isTrue();
        assertThat(containsMarker(baseline, 0xC0)).as("baseline SOF0").isTrue();
        assertQuadrants(decode(baseline, "baseline.jpg"), 12);
        assertQuadrants(decode(progressive, "progressive.jpg"), 12);
        assertThat(ClipImages.probe(progressive, "p.jpg")).isEqualTo(new ImageInfo("jpeg", W, H));

        BufferedImage gray = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                gray.getRaster().setSample(x, y, 0, x < W / 2 ? 30 : 200);
            }
        }
        BufferedImage img = decode(ImageTestImages.jpeg(gray, 0.95f, false), "gray.jpg");
        assertThat(ImageTestImages.channelDiff(img.getRGB(W / 4, H / 2), 30 * 0x010101))
                .isLessThanOrEqualTo(3);
        assertThat(ImageTestImages.channelDiff(img.getRGB(3 * W / 4, H / 2), 200 * 0x010101))
                .isLessThanOrEqualTo(3);
    }

    /**
     * Chroma-subsampled JPEGs (4:2:0 baseline, 4:2:2 progressive, odd sizes, with the Adobe RGB
     * profile of rocket.jpg which must be ignored) decode bit-exactly like libjpeg-turbo, the
     * decoder Pillow uses: the PNGs next to them hold libjpeg-turbo's output (written by
     * ImageMagick).
     */
    @ParameterizedTest
    @ValueSource(strings = {"rocket-420", "rocket-422-progressive"})
    void jpegDecodesBitExactlyLikeLibjpegTurbo(String name) {
        BufferedImage jpeg =
                decode(ImageTestImages.resource("/images/" + name + ".jpg"), name + ".jpg");
        BufferedImage expected =
                decode(ImageTestImages.resource("/images/" + name + ".libjpeg-turbo.png"), name);
        assertThat(jpeg.getWidth()).isEqualTo(97);
        assertThat(jpeg.getHeight()).isEqualTo(65);
        int[] actualPixels = jpeg.getRGB(0, 0, 97, 65, null, 0, 97);
        int[] expectedPixels = expected.getRGB(0, 0, 97, 65, null, 0, 97);
        assertThat(actualPixels).isEqualTo(expectedPixels);
    }

    @Test
    void jpegAdobeCmykIsInvertedAndConvertedLikePillow() {
        byte[] cmyk = ImageTestImages.adobeCmykJpeg(W, H);
        assertQuadrants(decode(cmyk, "adobe-cmyk.jpg"), 12);
    }

    @Test
    void jpegYcckFromImageMagick() {
        byte[] ycck = ImageTestImages.resource("/images/quad-ycck.jpg"); // Adobe APP14 transform 2
        assertQuadrants(decode(ycck, "quad-ycck.jpg"), 12);
    }

    @Test
    void tiffRgbAndCmyk() {
        BufferedImage rgb = ImageTestImages.quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR);
        byte[] tiff = ImageTestImages.encode(rgb, "tiff");
        BufferedImage img = decode(tiff, "rgb.tiff");
        assertQuadrants(img, 0);
        assertThat(ClipImages.probe(tiff, "rgb.tiff").format()).isEqualTo("tiff");
        // CMYK (ink values, LZW) written by ImageMagick
        assertQuadrants(
                decode(ImageTestImages.resource("/images/quad-cmyk.tif"), "quad-cmyk.tif"), 0);
    }

    @Test
    void bmpTrueColourAndIndexed() {
        BufferedImage rgb = ImageTestImages.quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bmp = ImageTestImages.encode(rgb, "bmp");
        assertQuadrants(decode(bmp, "rgb.bmp"), 0);
        assertThat(ClipImages.probe(bmp, "rgb.bmp")).isEqualTo(new ImageInfo("bmp", W, H));
        BufferedImage indexed = ImageTestImages.quadrants(W, H, BufferedImage.TYPE_BYTE_INDEXED);
        assertQuadrants(decode(ImageTestImages.encode(indexed, "bmp"), "indexed.bmp"), 0);
    }

    @Test
    void gifFirstFrameWithTransparency() throws Exception {
        int[] firstIdx = new int[W * H];
        int[] secondIdx = new int[W * H];
        for (int i = 0; i < firstIdx.length; i++) {
            firstIdx[i] = (i % W) < W / 2 ? 1 : 0; // left red, right transparent
            secondIdx[i] = 2; // all blue
        }
        int[] palette = {0xFFFFFF, RED, BLUE, GREEN};
        byte[] alphas = {0, (byte) 255, (byte) 255, (byte) 255};
        BufferedImage first =
                ImageTestImages.paletteWithTransparency(W, H, palette, alphas, firstIdx);
        BufferedImage second =
                ImageTestImages.paletteWithTransparency(W, H, palette, alphas, secondIdx);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (BufferedImage frame : new BufferedImage[] {first, second}) {
                writer.writeToSequence(new IIOImage(frame, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        byte[] gif = bytes.toByteArray();
        BufferedImage img = decode(gif, "anim.gif");
        assertThat(img.getRGB(1, 1)).isEqualTo(0xFF000000 | RED);
        assertThat(img.getRGB(W - 2, H - 2) >>> 24)
                .isZero(); // transparent, not the second frame's blue
        assertThat(ClipImages.probe(gif, "anim.gif")).isEqualTo(new ImageInfo("gif", W, H));
    }

    /**
     * Pillow's first GIF frame lives on the logical screen; what the frame leaves uncovered is
     * index 0 or clear.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gifFirstFrameSmallerThanTheScreen(boolean withTransparency) {
        int[] indices = new int[8 * 6];
        java.util.Arrays.fill(indices, 1); // red frame
        indices[0] = 2; // one transparent (if enabled) pixel in its corner
        BufferedImage frame =
                ImageTestImages.paletteWithTransparency(
                        8,
                        6,
                        new int[] {GREEN, RED, BLUE},
                        new byte[] {(byte) 255, (byte) 255, withTransparency ? 0 : (byte) 255},
                        indices);
        byte[] gif = ImageTestImages.moveFirstGifFrame(ImageTestImages.gif(frame), 20, 10, 5, 2);
        assertThat(ClipImages.probe(gif, "offset.gif")).isEqualTo(new ImageInfo("gif", 20, 10));
        BufferedImage img = decode(gif, "offset.gif");
        assertThat(img.getWidth()).isEqualTo(20);
        assertThat(img.getHeight()).isEqualTo(10);
        assertThat(img.getRGB(7, 4)).isEqualTo(0xFF000000 | RED);
        if (withTransparency) {
            assertThat(img.getRGB(0, 0) >>> 24).isZero();
            assertThat(img.getRGB(5, 2) >>> 24).isZero();
        } else {
            assertThat(img.getRGB(0, 0)).isEqualTo(0xFF000000 | GREEN); // palette index 0
            assertThat(img.getRGB(19, 9)).isEqualTo(0xFF000000 | GREEN);
            assertThat(img.getRGB(5, 2)).isEqualTo(0xFF000000 | BLUE);
        }
        assertThat(img.getRGB(12, 7)).isEqualTo(0xFF000000 | RED);
        assertThat(img.getRGB(13, 8))
                .isEqualTo(withTransparency ? img.getRGB(0, 0) : 0xFF000000 | GREEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"quad-lossless.webp", "quad-lossy.webp"})
    void webp(String name) {
        BufferedImage img = decode(ImageTestImages.resource("/images/" + name), name);
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(img.getHeight()).isEqualTo(64);
        assertQuadrants(img, name.contains("lossless") ? 0 : 16);
        assertThat(ClipImages.probe(ImageTestImages.resource("/images/" + name), name).format())
                .isEqualTo("webp");
    }

    @Test
    void webpWithAlpha() {
        BufferedImage img =
                decode(ImageTestImages.resource("/images/quad-alpha.webp"), "quad-alpha.webp");
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_ARGB);
        assertThat(img.getRGB(16, 16)).isEqualTo(0xFF000000 | RED);
        assertThat(img.getRGB(48, 48) >>> 24).isZero();
    }

    /**
     * The eight EXIF orientations on a 48x32 quadrant image, expressed as the colours of the
     * displayed corners (top-left, top-right, bottom-left, bottom-right) after Pillow's
     * exif_transpose.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void jpegExifOrientation(int orientation) {
        int[][] corners = {
            null,
            {RED, GREEN, BLUE, YELLOW}, // 1 normal
            {GREEN, RED, YELLOW, BLUE}, // 2 mirrored
            {YELLOW, BLUE, GREEN, RED}, // 3 rotated 180
            {BLUE, YELLOW, RED, GREEN}, // 4 flipped vertically
            {RED, BLUE, GREEN, YELLOW}, // 5 transposed
            {BLUE, RED, YELLOW, GREEN}, // 6 rotated 90 clockwise
            {YELLOW, GREEN, BLUE, RED}, // 7 transversed
            {GREEN, YELLOW, RED, BLUE}, // 8 rotated 90 counter-clockwise
        };
        BufferedImage src = ImageTestImages.quadrants(48, 32, BufferedImage.TYPE_INT_RGB);
        byte[] jpeg =
                ImageTestImages.insertJpegSegment(
                        ImageTestImages.jpeg(src, 0.95f, false),
                        0xE1,
                        ImageTestImages.exifApp1(orientation));
        BufferedImage img = decode(jpeg, "exif" + orientation + ".jpg");
        boolean swapped = orientation >= 5;
        assertThat(img.getWidth()).isEqualTo(swapped ? 32 : 48);
        assertThat(img.getHeight()).isEqualTo(swapped ? 48 : 32);
        assertThat(ClipImages.probe(jpeg, "exif.jpg"))
                .isEqualTo(new ImageInfo("jpeg", img.getWidth(), img.getHeight()));
        int w = img.getWidth();
        int h = img.getHeight();
        int[][] at = {{3, 3}, {w - 4, 3}, {3, h - 4}, {w - 4, h - 4}};
        for (int i = 0; i < 4; i++) {
            int actual = img.getRGB(at[i][0], at[i][1]) & 0xFFFFFF;
            assertThat(ImageTestImages.channelDiff(actual, corners[orientation][i]))
                    .as("orientation %d corner %d: %06x", orientation, i, actual)
                    .isLessThanOrEqualTo(12);
        }
    }

    @Test
    void pngExifOrientationChunk() {
        BufferedImage src = ImageTestImages.quadrants(48, 32, BufferedImage.TYPE_INT_RGB);
        byte[] png =
                ImageTestImages.insertPngChunk(
                        ImageTestImages.encode(src, "png"),
                        "eXIf",
                        ImageTestImages.tiffWithOrientation(6));
        BufferedImage img = decode(png, "rotated.png");
        assertThat(img.getWidth()).isEqualTo(32);
        assertThat(img.getHeight()).isEqualTo(48);
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(BLUE);
        assertThat(img.getRGB(31, 0) & 0xFFFFFF).isEqualTo(RED);
        assertThat(img.getRGB(31, 47) & 0xFFFFFF).isEqualTo(GREEN);
    }

    @Test
    void bufferedImageOfAnyLayoutPreprocessesLikeItsDecodedForm() {
        BufferedImage bgr = ImageTestImages.quadrants(50, 30, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage sub =
                ImageTestImages.quadrants(64, 40, BufferedImage.TYPE_INT_RGB)
                        .getSubimage(9, 5, 50, 30);
        ClipImagePreprocessor pre = ClipImagePreprocessor.openAiClip();
        float[] expected =
                pre.preprocess(ImageTestImages.quadrants(50, 30, BufferedImage.TYPE_INT_RGB), "q")
                        .pixels();
        assertThat(pre.preprocess(bgr, "bgr").pixels()).isEqualTo(expected);
        BufferedImage bgrSub =
                ImageTestImages.quadrants(64, 40, BufferedImage.TYPE_3BYTE_BGR)
                        .getSubimage(9, 5, 50, 30); // byte-interleaved raster with an offset
        assertThat(pre.preprocess(bgrSub, "bgr-sub").pixels())
                .isEqualTo(pre.preprocess(sub, "sub").pixels());
        BufferedImage copy = new BufferedImage(50, 30, BufferedImage.TYPE_INT_RGB);
        copy.getGraphics().drawImage(sub, 0, 0, null);
        assertThat(pre.preprocess(sub, "sub").pixels())
                .isEqualTo(pre.preprocess(copy, "copy").pixels());
    }

    private static boolean containsMarker(byte[] jpeg, int marker) {
        boolean[] found = {false};
        ImageDecodingMetadata.forEachJpegSegment(
                jpeg,
                (m, from, to) -> {
                    found[0] |= m == marker;
                    return true;
                });
        return found[0];
    }
}
