package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The public encoder API on the tiny-clip fixture: batching, bad inputs, truncation, threads. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncoderApiTest {

    private static final String IMAGES = "/clip-reference/images/";
    private ClipModel model;
    private ImageEncoder images;
    private TextEncoder texts;

    @BeforeAll
    void load(@TempDir Path temp) {
        model = ClipModels.load(TestModels.tinyClip(temp));
        images = model.imageEncoder();
        texts = model.textEncoder();
    }

    @AfterAll
    void close() {
        model.close();
    }

    private static byte[] image(String name) {
        return TestModels.resourceBytes(IMAGES + name);
    }

    @Test
    void oneBadImageDoesNotLoseTheOthers() {
        List<byte[]> bytes =
                List.of(
                        image("astronaut.png"),
                        "not an image".getBytes(),
                        image("rocket.jpg"),
                        new byte[0]);
        List<String> names = List.of("astronaut.png", "broken.png", "rocket.jpg", "empty.jpg");
        List<ImageEmbeddingResult> results = images.encodeAllBytes(bytes, names);
        assertThat(results)
                .extracting(ImageEmbeddingResult::inputName)
                .containsExactlyElementsOf(names);
        assertThat(results)
                .extracting(ImageEmbeddingResult::isSuccess)
                .containsExactly(true, false, true, false);
        assertThat(results.get(1).error())
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("broken.png");
        assertThat(results.get(3).error())
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("empty.jpg");
        assertThat(
                        Vectors.maxAbsDiff(
                                results.get(0).vector(),
                                images.encode(image("astronaut.png"), "a")))
                .isLessThan(1e-5);
        assertThat(results.get(2).vector()).hasSize(512);
        assertThatThrownBy(() -> images.encode("junk".getBytes(), "junk.bin"))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("junk.bin");
    }

    @Test
    void batchedEncodingEqualsOneByOne() {
        String[] names = {
            "astronaut.png", "camera.png", "logo.png", "rocket.jpg", "green_palette.png"
        };
        List<BufferedImage> decoded = new ArrayList<>();
        List<PreprocessedImage> pre = new ArrayList<>();
        for (String n : names) {
            decoded.add(ClipImages.decode(image(n), n));
            pre.add(images.preprocess(image(n), n));
        }
        List<float[]> batch = images.encodeAll(decoded);
        List<float[]> prepped = images.encodePreprocessed(pre);
        for (int i = 0; i < names.length; i++) {
            float[] single = images.encode(decoded.get(i));
            assertThat(Vectors.maxAbsDiff(batch.get(i), single)).as(names[i]).isLessThan(1e-5);
            assertThat(Vectors.maxAbsDiff(prepped.get(i), single)).as(names[i]).isLessThan(1e-5);
        }
        List<String> textList =
                List.of(
                        "a photo of a cat",
                        "a rocket",
                        "",
                        "a much longer text about a boat on a lake");
        List<float[]> textBatch = texts.encodeAll(textList);
        for (int i = 0; i < textList.size(); i++) {
            assertThat(Vectors.maxAbsDiff(textBatch.get(i), texts.encode(textList.get(i))))
                    .isLessThan(1e-5);
        }
        assertThat(images.encodePreprocessed(List.of())).isEmpty();
        assertThat(texts.encodeAll(List.of())).isEmpty();
    }

    @Test
    void wrongPreprocessedSizeIsRejected() {
        PreprocessedImage small = new PreprocessedImage("small", 64, new float[3 * 64 * 64]);
        assertThatThrownBy(() -> images.encodePreprocessed(List.of(small)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'small'")
                .hasMessageContaining("224x224");
    }

    @Test
    void longTextIsTruncatedKeepingEndOfText() {
        String longText = "boat ".repeat(200);
        int[] ids = texts.tokenize(longText);
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(49406);
        assertThat(ids[76]).isEqualTo(49407);
        assertThat(Arrays.stream(ids, 1, 76).distinct().toArray()).doesNotContain(49407);
        assertThat(texts.encode(longText)).hasSize(512);
        assertThat(texts.tokenize("")).startsWith(49406, 49407, 49407);
        assertThat(texts.tokenize("A Photo  of a CAT"))
                .containsExactly(texts.tokenize("a photo of a cat"));
    }

    @Test
    void encodersAreThreadSafe() throws Exception {
        List<String> names = List.of("astronaut.png", "camera.png", "logo.png", "rocket.jpg");
        List<float[]> expectedImages = new ArrayList<>();
        for (String n : names) {
            expectedImages.add(images.encode(image(n), n));
        }
        float[] expectedText = texts.encode("an astronaut riding a horse");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int k = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    String n = names.get(k % names.size());
                                    float[] v = images.encode(image(n), n);
                                    assertThat(
                                                    Vectors.maxAbsDiff(
                                                            v,
                                                            expectedImages.get(k % names.size())))
                                            .isLessThan(1e-5);
                                    assertThat(
                                                    Vectors.maxAbsDiff(
                                                            texts.encode(
                                                                    "an astronaut riding a horse"),
                                                            expectedText))
                                            .isLessThan(1e-5);
                                    return null;
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedModelRefusesWork(@TempDir Path temp) {
        ClipModel other = ClipModels.load(TestModels.tinyClip(temp));
        TextEncoder encoder = other.textEncoder();
        other.close();
        other.close(); // idempotent
        assertThatThrownBy(() -> encoder.encode("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> encoder.tokenize("x")).isInstanceOf(IllegalStateException.class);
        PreprocessedImage pixels = new PreprocessedImage("p", 224, new float[3 * 224 * 224]);
        assertThatThrownBy(() -> other.imageEncoder().encodePreprocessed(List.of(pixels)))
                .isInstanceOf(IllegalStateException.class);
    }
}
