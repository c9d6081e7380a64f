package dev.clipsearch.examples.bench;

import dev.clipsearch.core.ClipConfig;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.DjlEnvironment;
import dev.clipsearch.core.ImageEncoder;
import dev.clipsearch.core.Precision;
import dev.clipsearch.core.PreprocessedImage;
import dev.clipsearch.core.TextEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encoder benchmark on a CLIP with the sizes of openai/clip-vit-base-patch32 and random weights
 * (written to a temporary directory by {@link RandomClipCheckpoint}; speed does not depend on the
 * values): image throughput at batch 1, 8 and 32 (forward pass on preprocessed pixels), text
 * latency at batch 1 (p50, tokenizer included) and text throughput at batch 32, this machine's
 * float32 matrix-multiply rate, and image throughput at batch 32 as a fraction of the roofline that
 * rate implies ({@link ClipConfig#imageFlops()} per image). All of it twice in one run, in {@link
 * Precision#FP32} and in {@link Precision#BF16} (with the bf16 matrix-multiply rate), and the bf16
 * speed-up at batch 32.
 *
 * <p>The text tower stops at the pooled token (causal attention makes later tokens irrelevant), so
 * text cost grows with caption length; the benchmark tokenizer is byte-level (no BPE merges), so
 * its captions are longer in tokens than with CLIP's real vocabulary: the text numbers are
 * conservative.
 */
public final class EncoderBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(EncoderBenchmark.class);
    private static final int[] IMAGE_BATCHES = {1, 8, 32};
    private static final String[] CAPTIONS = {
        "a photo of a cat", "an astronaut riding a horse on the moon",
                "a red car parked on a street",
        "two dogs playing in the snow", "a bowl of fruit on a wooden table",
                "a city skyline at night",
        "a small boat on a calm lake at dawn", "a person reading a book in a park"
    };

    private EncoderBenchmark() {}

    /**
     * What to run.
     *
     * @param config the architecture (default {@link ClipConfig#vitB32()})
     * @param threads PyTorch intra-op threads (0: PyTorch's default, one per physical core)
     * @param minSecondsPerMeasurement each throughput figure runs at least this long (after a
     *     warm-up)
     * @param textLatencySamples timed single-text encodes for the p50
     * @param seed random seed of the weights and pixels
     */
    public record Options(
            ClipConfig config,
            int threads,
            double minSecondsPerMeasurement,
            int textLatencySamples,
            long seed) {
        /** ViT-B/32, default threads, 3 s per measurement, 40 latency samples. */
        public static Options defaults() {
            return new Options(ClipConfig.vitB32(), 0, 3.0, 40, 42);
        }
    }

    /**
     * The measurements.
     *
     * @param imagesPerSecond images/s by batch size (1, 8, 32)
     * @param textP50Ms median latency of encoding one text, milliseconds
     * @param textsPerSecondBatch32 texts/s in batches of 32
     * @param matmulGflops GFLOP/s of a 1024x1024 matrix product on this machine, in the measured
     *     precision (float32, or bfloat16 inside a TorchScript module)
     * @param rooflineFraction images/s at batch 32 times FLOPs per image, over the matmul rate
     */
    public record Result(
            Map<Integer, Double> imagesPerSecond,
            double textP50Ms,
            double textsPerSecondBatch32,
            double matmulGflops,
            double rooflineFraction) {

        /**
         * {@code {"images_per_s": {"1": x, "8": x, "32": x}, "text_p50_ms": x,
         * "texts_per_s_batch32": x, "matmul_gflops": x, "roofline_fraction": x}}.
         */
        public String toJson() {
            StringBuilder images = new StringBuilder("{");
            imagesPerSecond.forEach(
                    (batch, rate) -> {
                        if (images.length() > 1) {
                            images.append(", ");
                        }
                        images.append('"').append(batch).append("\": ").append(num(rate));
                    });
            images.append('}');
            return "{\"images_per_s\": "
                    + images
                    + ", \"text_p50_ms\": "
                    + num(textP50Ms)
                    + ", \"texts_per_s_batch32\": "
                    + num(textsPerSecondBatch32)
                    + ", \"matmul_gflops\": "
                    + num(matmulGflops)
                    + ", \"roofline_fraction\": "
                    + num(rooflineFraction)
                    + "}";
        }

        /** A readable table. */
        public String toTable() {
            StringBuilder sb = new StringBuilder();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-34s %12s%n",
                            "CLIP encoders (random weights, CPU)",
                            "value"));
            imagesPerSecond.forEach(
                    (batch, rate) ->
                            sb.append(
                                    String.format(
                                            Locale.ROOT,
                                            "%-34s %12.2f%n",
                                            "images/s at batch " + batch,
                                            rate)));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-34s %12.2f%n",
                            "text latency p50 (ms, batch 1)",
                            textP50Ms));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-34s %12.1f%n",
                            "texts/s at batch 32",
                            textsPerSecondBatch32));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-34s %12.1f%n",
                            "fp32 matmul GFLOP/s (1024^2)",
                            matmulGflops));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-34s %12.2f%n",
                            "batch-32 images/s / roofline",
                            rooflineFraction));
            return sb.toString();
        }

        static String num(double v) {
            return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "null";
        }
    }

    /**
     * Both precisions, measured in the same run.
     *
     * @param fp32 the exact path
     * @param bf16 bf16 matrix products
     */
    public record Report(Result fp32, Result bf16) {

        /** BF16 over FP32 images/s at batch 32. */
        public double bf16SpeedupBatch32() {
            return bf16.imagesPerSecond().get(32) / fp32.imagesPerSecond().get(32);
        }

        /**
         * The FP32 keys of {@link Result#toJson()} at the top level, then {@code "bf16": {...the
         * same keys...}} and {@code "bf16_speedup_batch32"}.
         */
        public String toJson() {
            String f = fp32.toJson();
            return f.substring(0, f.length() - 1)
                    + ", \"bf16\": "
                    + bf16.toJson()
                    + ", \"bf16_speedup_batch32\": "
                    + Result.num(bf16SpeedupBatch32())
                    + "}";
        }

        /** Both tables and the speed-up. */
        public String toTable() {
            return "FP32\n"
                    + fp32.toTable()
                    + "\nBF16\n"
                    + bf16.toTable().replace("fp32 matmul", "bf16 matmul")
                    + String.format(
                            Locale.ROOT,
                            "%n%-34s %12.2f%n",
                            "bf16 speed-up at batch 32",
                            bf16SpeedupBatch32());
        }
    }

    /**
     * Writes the random checkpoint to a temporary directory, runs the measurements in FP32 and then
     * in BF16, deletes it.
     */
    public static Report run(Options o) {
        DjlEnvironment.ensureOffline();
        Path dir;
        try {
            dir = Files.createTempDirectory("clip-encoder-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        try {
            long start = System.nanoTime();
            RandomClipCheckpoint.write(dir, o.config(), o.seed());
            LOG.info(
                    "Wrote random checkpoint in {} s",
                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
            Result fp32 = measure(dir, o, Precision.FP32);
            Result bf16 = measure(dir, o, Precision.BF16);
            return new Report(fp32, bf16);
        } finally {
            TempDirs.deleteTree(dir);
        }
    }

    private static Result measure(Path dir, Options o, Precision precision) {
        ClipModelOptions options =
                ClipModelOptions.defaults().withThreads(o.threads()).withPrecision(precision);
        try (ClipModel model = ClipModels.load(dir, options)) {
            LOG.info("Measuring {}", precision);
            return measure(model, o, precision);
        }
    }

    private static Result measure(ClipModel model, Options o, Precision precision) {
        ImageEncoder images = model.imageEncoder();
        TextEncoder texts = model.textEncoder();
        int size = model.config().vision().imageSize();
        SplittableRandom random = new SplittableRandom(o.seed());
        Map<Integer, Double> imageRates = new LinkedHashMap<>();
        for (int batch : IMAGE_BATCHES) {
            List<PreprocessedImage> pixels = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                float[] p = new float[3 * size * size];
                for (int j = 0; j < p.length; j++) {
                    p[j] = (float) (random.nextDouble() * 4 - 2);
                }
                pixels.add(new PreprocessedImage("random-" + i, size, p));
            }
            double perCall =
                    timePerCall(
                            () -> images.encodePreprocessed(pixels), o.minSecondsPerMeasurement());
            imageRates.put(batch, batch / perCall);
            LOG.info(
                    "images/s at batch {}: {}",
                    batch,
                    String.format(Locale.ROOT, "%.2f", batch / perCall));
        }

        for (int i = 0; i < 5; i++) {
            texts.encode(CAPTIONS[i % CAPTIONS.length]);
        }
        double[] latencies = new double[o.textLatencySamples()];
        for (int i = 0; i < latencies.length; i++) {
            long t = System.nanoTime();
            texts.encode(CAPTIONS[i % CAPTIONS.length]);
            latencies[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(latencies);
        double p50 = latencies[latencies.length / 2];

        List<String> batch32 = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            batch32.add(CAPTIONS[i % CAPTIONS.length] + " " + i);
        }
        double textPerCall =
                timePerCall(() -> texts.encodeAll(batch32), o.minSecondsPerMeasurement());

        double gflops =
                DjlEnvironment.measureMatmulGflops(
                        1024, Math.round(o.minSecondsPerMeasurement() * 1000), precision);
        double roofline = gflops * 1e9 / model.config().imageFlops();
        return new Result(imageRates, p50, 32 / textPerCall, gflops, imageRates.get(32) / roofline);
    }

    /**
     * Seconds per call: one warm-up call, then calls until {@code minSeconds} have passed (at least
     * 2).
     */
    private static double timePerCall(Runnable call, double minSeconds) {
        call.run();
        long start = System.nanoTime();
        int calls = 0;
        long elapsed;
        do {
            call.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < minSeconds * 1e9 || calls < 2);
        return elapsed / 1e9 / calls;
    }
}
