package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.WritableRaster;
import org.junit.jupiter.api.Test;

/**
 * What transformers 5.x (CLIP image processors, PIL and torchvision backends) does to images with
 * alpha or transparency: {@code image_transforms.convert_to_rgb} calls Pillow's {@code
 * image.convert("RGB")} for every mode but RGB, and Pillow's converters (Convert.c) drop the alpha
 * without compositing: P (tRNS ignored) and PA take the palette colour, LA replicates L, RGBA keeps
 * its stored RGB, RGBa is un-premultiplied ({@code 255 * c / a}, truncated, unless a is 0 or 255),
 * L/RGB/I;16 colour keys are ignored, and I;16 clamps to 255. Each case with an image generated
 * here, compared with the pixels that rule gives.
 */
class TransparencyTest {

    private static final int SIZE = 224; // the crop size: preprocessing keeps pixels as they are

    /** The RGB the model gets: decoded (Pillow's way) and preprocessed, un-normalised. */
    private static int[] modelRgb(byte[] encoded, String name) {
        return rgbOf(ClipImagePreprocessor.openAiClip().preprocess(encoded, name));
    }

    private static int[] modelRgb(BufferedImage image) {
        return rgbOf(ClipImagePreprocessor.openAiClip().preprocess(image, "image"));
    }

    /** Inverts the normalisation of every pixel back to 0..255 (exact at 8 bits). */
    private static int[] rgbOf(PreprocessedImage p) {
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        int plane = p.size() * p.size();
        int[] out = new int[plane];
        for (int i = 0; i < plane; i++) {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                int v = Math.round((p.pixels()[c * plane + i] * std[c] + mean[c]) * 255f);
                rgb = (rgb << 8) | v;
            }
            out[i] = rgb;
        }
        return out;
    }

    /** Left half colour a, right half colour b (as the model must see them). */
    private static void assertHalves(int[] rgb, int left, int right) {
        assertThat(Integer.toHexString(rgb[SIZE * 100 + 10])).isEqualTo(Integer.toHexString(left));
        assertThat(Integer.toHexString(rgb[SIZE * 100 + SIZE - 10]))
                .isEqualTo(Integer.toHexString(right));
    }

    private static int[] halves(int left, int right) {
        int[] v = new int[SIZE * SIZE];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % SIZE) < SIZE / 2 ? left : right;
        }
        return v;
    }

    /** Raw samples {@code left} on the left half, {@code right} on the right half. */
    private static void fillHalves(WritableRaster raster, int[] left, int[] right) {
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                raster.setPixel(x, y, x < SIZE / 2 ? left : right);
            }
        }
    }

    @Test
    void paletteWithTrnsKeepsThePaletteColourOfTransparentEntries() {
        // entry 0: dark red, fully transparent; entry 1: blue at alpha 100
        BufferedImage src =
                ImageTestImages.paletteWithTransparency(
                        SIZE,
                        SIZE,
                        new int[] {0x801010, 0x2040C0},
                        new byte[] {0, 100},
                        halves(0, 1));
        byte[] png = ImageTestImages.encode(src, "png");
        assertHalves(modelRgb(png, "p-trns.png"), 0x801010, 0x2040C0);
    }

    @Test
    void grayAlphaDropsTheAlpha() {
        ComponentColorModel cm = ImageTestImages.grayAlphaModel(false);
        WritableRaster raster = cm.createCompatibleWritableRaster(SIZE, SIZE);
        fillHalves(raster, new int[] {40, 0}, new int[] {200, 77});
        byte[] png = ImageTestImages.encode(new BufferedImage(cm, raster, false, null), "png");
        assertHalves(modelRgb(png, "la.png"), 0x282828, 0xC8C8C8);
    }

    @Test
    void rgbaKeepsItsStoredColour() {
        BufferedImage src = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_ARGB);
        src.setRGB(0, 0, SIZE, SIZE, halves(0x00123456, 0x80FF0000), 0, SIZE);
        byte[] png = ImageTestImages.encode(src, "png");
        assertHalves(modelRgb(png, "rgba.png"), 0x123456, 0xFF0000);
        // the same image handed over decoded
        assertHalves(modelRgb(src), 0x123456, 0xFF0000);
    }

    @Test
    void premultipliedRgbaIsUnpremultipliedLikePillowsRgbaToRgb() {
        BufferedImage src = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_4BYTE_ABGR_PRE);
        // bands R, G, B, A of stored (premultiplied) samples
        fillHalves(src.getRaster(), new int[] {50, 60, 70, 100}, new int[] {9, 8, 7, 0});
        // 255 * 50 / 100 = 127 (truncated), 153, 178; alpha 0 keeps the stored values
        assertHalves(modelRgb(src), 0x7F99B2, 0x090807);
    }

    @Test
    void premultipliedGrayAlphaIsUnpremultipliedTheSameWay() {
        ComponentColorModel cm = ImageTestImages.grayAlphaModel(true);
        WritableRaster raster = cm.createCompatibleWritableRaster(SIZE, SIZE);
        fillHalves(raster, new int[] {30, 200}, new int[] {255, 255});
        // 255 * 30 / 200 = 38
        assertHalves(modelRgb(new BufferedImage(cm, raster, true, null)), 0x262626, 0xFFFFFF);
    }

    @Test
    void colourKeysOfGrayAndRgbPngsAreIgnored() {
        BufferedImage gray = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, SIZE, SIZE, 0, halves(7, 9));
        byte[] grayPng =
                ImageTestImages.insertPngChunk(
                        ImageTestImages.encode(gray, "png"), "tRNS", new byte[] {0, 7});
        assertHalves(modelRgb(grayPng, "l-trns.png"), 0x070707, 0x090909);

        BufferedImage rgb = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, SIZE, SIZE, halves(0x102030, 0x102031), 0, SIZE);
        byte[] rgbPng =
                ImageTestImages.insertPngChunk(
                        ImageTestImages.encode(rgb, "png"),
                        "tRNS",
                        new byte[] {0, 0x10, 0, 0x20, 0, 0x30});
        assertHalves(modelRgb(rgbPng, "rgb-trns.png"), 0x102030, 0x102031);
    }

    @Test
    void sixteenBitGrayWithTrnsIsClampedAndTheKeyIgnored() {
        BufferedImage gray = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSamples(0, 0, SIZE, SIZE, 0, halves(1000, 100));
        // tRNS key 1000 (the left half): Pillow's I;16 -> RGB ignores it and clamps to 255
        byte[] png =
                ImageTestImages.insertPngChunk(
                        ImageTestImages.encode(gray, "png"),
                        "tRNS",
                        new byte[] {0x03, (byte) 0xE8});
        assertHalves(modelRgb(png, "i16-trns.png"), 0xFFFFFF, 0x646464);
    }
}
