package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipImagePreprocessorTest {

    private static final float[] TINY_MEAN = {
        0.48145467042922974f, 0.45782750844955444f, 0.40821072459220886f
    };
    private static final float[] TINY_STD = {
        0.2686295509338379f, 0.2613025903701782f, 0.27577710151672363f
    };

    private static List<String> names;
    private static float[] reference;
    private static int plane;

    @BeforeAll
    static void loadReference() {
        names = ImageTestReference.imageNames();
        List<Integer> shape = new ArrayList<>();
        reference = ImageTestReference.readF32("pixel_values", shape);
        assertThat(shape).containsExactly(names.size(), 3, 224, 224);
        plane = 3 * 224 * 224;
    }

    /**
     * The whole file-to-pixel_values path against transformers' CLIPImageProcessor (PIL backend).
     * The images are decoded from their files, so decoding (PNG gray/RGBA/palette, JPEG with an
     * Adobe RGB profile that must be ignored), Pillow's bicubic resize (shrinking and the 10x10
     * upsampling) and the crop must all be exact.
     */
    @Test
    void matchesTransformersPixelValuesForEveryReferenceImage() {
        ClipImagePreprocessor pre = ClipImagePreprocessor.openAiClip();
        assertThat(names).hasSize(7);
        StringBuilder report = new StringBuilder();
        double[] means = new double[names.size()];
        double[] maxes = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            PreprocessedImage img =
                    pre.preprocess(ClipImages.decode(ImageTestReference.imagePath(name)), name);
            assertThat(img.size()).isEqualTo(224);
            assertThat(img.inputName()).isEqualTo(name);
            double max = 0;
            double sum = 0;
            for (int j = 0; j < plane; j++) {
                double d = Math.abs(img.pixels()[j] - reference[i * plane + j]);
                max = Math.max(max, d);
                sum += d;
            }
            means[i] = sum / plane;
            maxes[i] = max;
            report.append(
                    String.format(Locale.ROOT, "%-18s max %.7f mean %.9f%n", name, max, means[i]));
        }
        System.out.print(report);
        for (int i = 0; i < names.size(); i++) {
            // exact: the JPEG decoder, Pillow's bicubic resampling and the float arithmetic are
            // reproduced operation for operation, so nothing may differ at all
            assertThat(maxes[i])
                    .as("max abs diff of %s (mean %s)", names.get(i), means[i])
                    .isZero();
        }
    }

    @Test
    void encodedBytesGiveTheSameResultAsDecodedImages() {
        ClipImagePreprocessor pre = ClipImagePreprocessor.openAiClip();
        String name = "rocket.jpg";
        byte[] bytes = ImageTestReference.imageBytes(name);
        assertThat(pre.preprocess(bytes, name).pixels())
                .isEqualTo(pre.preprocess(ClipImages.decode(bytes, name), name).pixels());
        assertThatThrownBy(() -> pre.preprocess(new byte[] {1, 2, 3}, "row 3"))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("row 3");
    }

    @Test
    void isThreadSafe() throws Exception {
        ClipImagePreprocessor pre = ClipImagePreprocessor.openAiClip();
        List<BufferedImage> images = new ArrayList<>();
        List<float[]> sequential = new ArrayList<>();
        for (String name : names) {
            BufferedImage img = ClipImages.decode(ImageTestReference.imageBytes(name), name);
            images.add(img);
            sequential.add(pre.preprocess(img, name).pixels());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < images.size(); i++) {
                    BufferedImage img = images.get(i);
                    futures.add(pool.submit(() -> pre.preprocess(img, "x").pixels()));
                }
            }
            for (int f = 0; f < futures.size(); f++) {
                assertThat(futures.get(f).get()).isEqualTo(sequential.get(f % images.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static ClipImagePreprocessor tinyClip() {
        return ClipImagePreprocessor.fromConfig(
                ImageTestReference.resourcePath(
                        "/images/tinyclip-tinyimagenet-preprocessor_config.json"));
    }

    private static float expected(int value, int channel) {
        return ((float) (value * 0.00392156862745098) - TINY_MEAN[channel]) / TINY_STD[channel];
    }

    @Test
    void fromConfigAt64IsAnIdentityResizeOf64x64Images() {
        ClipImagePreprocessor pre = tinyClip();
        assertThat(pre.imageSize()).isEqualTo(64);
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | ((x + y) * 2));
            }
        }
        float[] px = pre.preprocess(img, "grid").pixels();
        assertThat(px).hasSize(3 * 64 * 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int i = y * 64 + x;
                assertThat(px[i]).isEqualTo(expected(x * 4, 0));
                assertThat(px[4096 + i]).isEqualTo(expected(y * 4, 1));
                assertThat(px[8192 + i]).isEqualTo(expected((x + y) * 2, 2));
            }
        }
    }

    @Test
    void fromConfigResizesShortestEdgeAndCropsTheCentreOfNonSquareImages() {
        ClipImagePreprocessor pre = tinyClip();
        // 100x50 landscape, left half red, right half blue: resized to 128x64, centre columns
        // 32..95 kept
        BufferedImage landscape = new BufferedImage(100, 50, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 100; x++) {
                landscape.setRGB(x, y, x < 50 ? ImageTestImages.RED : ImageTestImages.BLUE);
            }
        }
        float[] px = pre.preprocess(landscape, "landscape").pixels();
        for (int y : new int[] {0, 31, 63}) {
            for (int x :
                    new int[] {0, 28}) { // left of the boundary (at 32) beyond the kernel support
                assertThat(px[y * 64 + x]).isEqualTo(expected(255, 0));
                assertThat(px[8192 + y * 64 + x]).isEqualTo(expected(0, 2));
            }
            for (int x : new int[] {36, 63}) {
                assertThat(px[y * 64 + x]).isEqualTo(expected(0, 0));
                assertThat(px[8192 + y * 64 + x]).isEqualTo(expected(255, 2));
            }
            float mid = px[y * 64 + 32]; // the edge is blurred, in between
            assertThat(mid).isStrictlyBetween(expected(0, 0), expected(255, 0));
        }
        // portrait 30x120 with a red top quarter: 64x256, centre rows 96..159 (source rows ~45..75)
        // are blue only
        BufferedImage portrait = new BufferedImage(30, 120, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 30; x++) {
                portrait.setRGB(x, y, y < 30 ? ImageTestImages.RED : ImageTestImages.BLUE);
            }
        }
        float[] pp = pre.preprocess(portrait, "portrait").pixels();
        assertThat(pp[0])
                .isEqualTo(expected(0, 0)); // no red reaches the crop beyond the kernel support
        assertThat(pp[8192 + 63 * 64 + 63]).isEqualTo(expected(255, 2));
    }

    @Test
    void padsWithZerosWhenTheCropIsLargerThanTheResizedImage(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("preprocessor_config.json");
        Files.writeString(
                config,
                "{\"size\": {\"shortest_edge\": 8}, \"crop_size\": {\"height\": 11, \"width\": 11},"
                        + " \"resample\": 3, \"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5]}");
        ClipImagePreprocessor pre = ClipImagePreprocessor.fromConfig(config);
        assertThat(pre.imageSize()).isEqualTo(11);
        BufferedImage white = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                white.setRGB(x, y, 0xFFFFFF);
            }
        }
        float[] px = pre.preprocess(white, "white").pixels();
        // transformers: pad top/left by ceil(3/2) = 2, bottom/right by 1; padding is 0 before
        // rescale/normalise
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 11; x++) {
                boolean inside = y >= 2 && y < 10 && x >= 2 && x < 10;
                assertThat(px[y * 11 + x]).as("(%d,%d)", x, y).isEqualTo(inside ? 1f : -1f);
            }
        }
    }

    @Test
    void rejectsUnsupportedConfigs(@TempDir Path dir) throws Exception {
        Path nearest = dir.resolve("nearest.json");
        Files.writeString(nearest, "{\"size\": {\"shortest_edge\": 224}, \"resample\": 0}");
        assertThatThrownBy(() -> ClipImagePreprocessor.fromConfig(nearest))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(nearest.toString())
                .hasMessageContaining("resample");
        Path rect = dir.resolve("rect.json");
        Files.writeString(rect, "{\"crop_size\": {\"height\": 224, \"width\": 160}}");
        assertThatThrownBy(() -> ClipImagePreprocessor.fromConfig(rect))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-square");
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> ClipImagePreprocessor.fromConfig(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void openAiClipMatchesTheOpenAiConfigFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("preprocessor_config.json");
        Files.writeString(
                config,
                "{\"crop_size\": {\"height\": 224, \"width\": 224}, \"do_center_crop\": true,"
                        + " \"do_convert_rgb\": true, \"do_normalize\": true, \"do_rescale\": true, \"do_resize\": true,"
                        + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073], \"resample\": 3,"
                        + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"rescale_factor\": 0.00392156862745098,"
                        + " \"size\": {\"shortest_edge\": 224}}");
        byte[] bytes = ImageTestReference.imageBytes("green_palette.png");
        assertThat(ClipImagePreprocessor.fromConfig(config).preprocess(bytes, "g").pixels())
                .isEqualTo(ClipImagePreprocessor.openAiClip().preprocess(bytes, "g").pixels());
    }

    @Test
    void resizeKeepsConstantImagesConstantAndCachesTables() {
        int[] src = new int[37 * 23];
        java.util.Arrays.fill(src, 0xFF10E0FF);
        int[] out =
                PilResampler.resizeWindow(
                        src, 37, 23, 300, 11, 0, 0, 300, 11, PilResampler.Filter.BICUBIC);
        for (int p : out) {
            assertThat(p).isEqualTo(0x10E0FF);
        }
        assertThat(PilResampler.coefficients(PilResampler.Filter.BICUBIC, 37, 300))
                .isSameAs(PilResampler.coefficients(PilResampler.Filter.BICUBIC, 37, 300));
    }
}
