package dev.clipsearch.examples.bench;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vector store benchmark on synthetic CLIP-like data: unit vectors around cluster centres, with
 * noise chosen so that members of a cluster are at cosine ~0.7 from each other. For each table size
 * it measures ingest rate (batched upserts), top-10 query latency (p50, p95, one query at a time
 * after a warm-up) and recall@10 against exact brute force computed in Java. After ingest the store
 * builds its index as it would for users ({@code createIndex(AUTO)}: exact below the backend's
 * threshold, an ANN index above), unless told not to. Then it fetches random ids one at a time
 * ({@code get(id)}, as the gallery's image endpoint does) and reports their p50 and p95.
 */
public final class StoreBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(StoreBenchmark.class);

    /**
     * Noise norm relative to the unit cluster centre: two members have cosine ~ 1 / (1 + NOISE^2) =
     * 0.70.
     */
    static final double NOISE = 0.65;

    /** Rows per cluster (cluster count = rows / this). */
    static final int CLUSTER_SIZE = 100;

    private static final int K = 10;
    private static final int WARMUP = 20;

    private StoreBenchmark() {}

    /**
     * What to run.
     *
     * @param sizes table sizes (rows), each in its own table
     * @param storeUri store URI, or null for a temporary Lance directory deleted afterwards; tables
     *     named {@code store_bench_<rows>_<time>} (and a small {@code store_bench_warmup_<time>})
     *     are left in a given store
     * @param dimension vector dimension
     * @param queries timed queries per size (also the recall sample)
     * @param batchSize records per upsert
     * @param seed random seed (data and queries are deterministic)
     * @param buildIndex whether to call {@code createIndex(AUTO)} after ingest (false: {@code
     *     createIndex(NONE)}, exact search and only the id index; measures fetch-by-id at large
     *     sizes without waiting for a vector index build)
     */
    public record Options(
            List<Integer> sizes,
            String storeUri,
            int dimension,
            int queries,
            int batchSize,
            long seed,
            boolean buildIndex) {
        /** Validates. */
        public Options {
            sizes = List.copyOf(sizes);
            if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < K)) {
                throw new IllegalArgumentException(
                        "sizes must be non-empty and each at least " + K + ": " + sizes);
            }
            if (dimension < 2 || queries < 1 || batchSize < 1) {
                throw new IllegalArgumentException(
                        "dimension >= 2, queries >= 1 and batchSize >= 1 required");
            }
        }

        /**
         * 10,000, 100,000 and 1,000,000 rows of 512-d vectors, 200 queries, batches of 10,000, temp
         * Lance dir.
         */
        public static Options defaults() {
            return new Options(
                    List.of(10_000, 100_000, 1_000_000), null, 512, 200, 10_000, 42, true);
        }

        /** The same options with other sizes. */
        public Options withSizes(List<Integer> newSizes) {
            return new Options(newSizes, storeUri, dimension, queries, batchSize, seed, buildIndex);
        }

        /** The same options against another store URI. */
        public Options withStoreUri(String uri) {
            return new Options(sizes, uri, dimension, queries, batchSize, seed, buildIndex);
        }

        /** The same options with another number of timed queries (and fetches). */
        public Options withQueries(int n) {
            return new Options(sizes, storeUri, dimension, n, batchSize, seed, buildIndex);
        }

        /** The same options, with or without {@code createIndex(AUTO)} after ingest. */
        public Options withBuildIndex(boolean build) {
            return new Options(sizes, storeUri, dimension, queries, batchSize, seed, build);
        }
    }

    /**
     * One size's measurements.
     *
     * @param rows table size
     * @param index the index the store chose ({@code TableInfo.index()})
     * @param ingestPerSecond rows upserted per second (index build excluded)
     * @param indexSeconds time to build the index (0 for exact search)
     * @param p50Millis median top-10 query latency
     * @param p95Millis 95th percentile top-10 query latency
     * @param recallAt10 mean recall@10 against exact search
     * @param fetchP50Millis median latency of fetching one record by id
     * @param fetchP95Millis 95th percentile latency of fetching one record by id
     */
    public record SizeResult(
            long rows,
            String index,
            double ingestPerSecond,
            double indexSeconds,
            double p50Millis,
            double p95Millis,
            double recallAt10,
            double fetchP50Millis,
            double fetchP95Millis) {}

    /** All sizes' measurements. */
    public record Result(List<SizeResult> results) {
        /** Copies the list. */
        public Result {
            results = List.copyOf(results);
        }

        /**
         * {@code {"results": [{"rows": n, "index": "...", "ingest_per_s": x, "p50_ms": x, "p95_ms":
         * x, "recall_at_10": x, "fetch_p50_ms": x, "fetch_p95_ms": x}, ...]}}.
         */
        public String toJson() {
            StringBuilder sb = new StringBuilder("{\"results\": [");
            for (int i = 0; i < results.size(); i++) {
                SizeResult r = results.get(i);
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "{\"rows\": %d, \"index\": %s, \"ingest_per_s\": %.1f, "
                                        + "\"p50_ms\": %.3f, \"p95_ms\": %.3f, \"recall_at_10\": %.4f, "
                                        + "\"fetch_p50_ms\": %.3f, \"fetch_p95_ms\": %.3f}",
                                r.rows(),
                                jsonString(r.index()),
                                r.ingestPerSecond(),
                                r.p50Millis(),
                                r.p95Millis(),
                                r.recallAt10(),
                                r.fetchP50Millis(),
                                r.fetchP95Millis()));
            }
            return sb.append("]}").toString();
        }

        /** A plain-text table, one row per size. */
        public String toTable() {
            StringBuilder sb =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "%10s  %-44s  %12s  %9s  %8s  %8s  %9s  %9s  %9s%n",
                                    "rows",
                                    "index",
                                    "ingest/s",
                                    "index s",
                                    "p50 ms",
                                    "p95 ms",
                                    "recall@10",
                                    "get p50",
                                    "get p95"));
            for (SizeResult r : results) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "%10d  %-44s  %12.0f  %9.1f  %8.2f  %8.2f  %9.4f  %9.2f  %9.2f%n",
                                r.rows(),
                                r.index(),
                                r.ingestPerSecond(),
                                r.indexSeconds(),
                                r.p50Millis(),
                                r.p95Millis(),
                                r.recallAt10(),
                                r.fetchP50Millis(),
                                r.fetchP95Millis()));
            }
            return sb.toString();
        }
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Runs every size in turn. */
    public static Result run(Options options) {
        Objects.requireNonNull(options, "options");
        Path temp = null;
        String uri = options.storeUri();
        try {
            if (uri == null) {
                temp = Files.createTempDirectory("clip-search-store-bench");
                uri = "lance:" + temp;
            }
            warmUp(options, uri);
            List<SizeResult> results = new ArrayList<>();
            for (int size : options.sizes()) {
                SizeResult r = runSize(options, uri, size);
                LOG.info("{} rows: {}", size, r);
                results.add(r);
            }
            return new Result(results);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot create a temporary directory for the store benchmark", e);
        } finally {
            if (temp != null) {
                TempDirs.deleteTree(temp);
            }
        }
    }

    /**
     * Loads the JIT and the native library with a few small upserts and queries, so the first size
     * is not charged with start-up costs.
     */
    private static void warmUp(Options o, String uri) {
        SplittableRandom rnd = new SplittableRandom(o.seed());
        try (VectorStore store =
                VectorStores.open(
                        uri, "store_bench_warmup_" + System.currentTimeMillis(), o.dimension())) {
            for (int b = 0; b < 2; b++) {
                List<ImageRecord> batch = new ArrayList<>();
                for (int i = 0; i < Math.min(o.batchSize(), 10_000); i++) {
                    batch.add(
                            new ImageRecord(
                                    "w-" + b + "-" + i,
                                    0,
                                    null,
                                    randomUnit(rnd, o.dimension()),
                                    Map.of()));
                }
                store.upsert(batch);
                for (int q = 0; q < 10; q++) {
                    store.search(randomUnit(rnd, o.dimension()), K);
                }
            }
        }
    }

    private static SizeResult runSize(Options o, String uri, int rows) {
        int dim = o.dimension();
        SplittableRandom rnd = new SplittableRandom(o.seed() + rows);
        float[][] centres = new float[Math.max(1, rows / CLUSTER_SIZE)][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = randomUnit(rnd, dim);
        }
        float[][] vectors = new float[rows][];
        String table = "store_bench_" + rows + "_" + System.currentTimeMillis();
        try (VectorStore store = VectorStores.open(uri, table, dim)) {
            long ingestNanos = 0;
            for (int start = 0; start < rows; start += o.batchSize()) {
                int end = Math.min(rows, start + o.batchSize());
                List<ImageRecord> batch = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    int cluster = rnd.nextInt(centres.length);
                    vectors[i] = near(rnd, centres[cluster], NOISE);
                    batch.add(
                            new ImageRecord(
                                    "img-" + i,
                                    cluster % 1000,
                                    null,
                                    vectors[i],
                                    Map.of("source", "bench", "cluster", String.valueOf(cluster))));
                }
                long t0 = System.nanoTime();
                store.upsert(batch);
                ingestNanos += System.nanoTime() - t0;
            }
            long t0 = System.nanoTime();
            store.createIndex(
                    o.buildIndex()
                            ? IndexOptions.auto()
                            : IndexOptions.of(IndexOptions.IndexType.NONE));
            double indexSeconds = (System.nanoTime() - t0) / 1e9;
            String index = store.info().index();
            if (store.count() != rows) {
                throw new IllegalStateException(
                        "Store holds " + store.count() + " rows after ingesting " + rows);
            }

            float[][] queries = new float[o.queries()][];
            for (int q = 0; q < queries.length; q++) {
                queries[q] = near(rnd, centres[rnd.nextInt(centres.length)], NOISE);
            }
            for (int w = 0; w < Math.min(WARMUP, queries.length); w++) {
                store.search(queries[w], K);
            }
            double[] millis = new double[queries.length];
            List<List<SearchHit>> answers = new ArrayList<>(queries.length);
            for (int q = 0; q < queries.length; q++) {
                long s = System.nanoTime();
                answers.add(store.search(queries[q], K));
                millis[q] = (System.nanoTime() - s) / 1e6;
            }
            double recall =
                    IntStream.range(0, queries.length)
                            .parallel()
                            .mapToDouble(
                                    q -> recall(exactTopK(vectors, queries[q], K), answers.get(q)))
                            .average()
                            .orElse(0);
            Arrays.sort(millis);
            double[] fetchMillis = fetchById(store, rnd, rows, o.queries());
            return new SizeResult(
                    rows,
                    index,
                    rows / (ingestNanos / 1e9),
                    indexSeconds,
                    percentile(millis, 0.50),
                    percentile(millis, 0.95),
                    recall,
                    percentile(fetchMillis, 0.50),
                    percentile(fetchMillis, 0.95));
        }
    }

    /**
     * Fetches {@code n} random ids one at a time (after a warm-up), checking each record; returns
     * the sorted latencies in ms.
     */
    private static double[] fetchById(VectorStore store, SplittableRandom rnd, int rows, int n) {
        for (int w = 0; w < WARMUP; w++) {
            store.get("img-" + rnd.nextInt(rows));
        }
        double[] millis = new double[n];
        for (int q = 0; q < n; q++) {
            String id = "img-" + rnd.nextInt(rows);
            long s = System.nanoTime();
            boolean found = store.get(id).filter(r -> r.id().equals(id)).isPresent();
            millis[q] = (System.nanoTime() - s) / 1e6;
            if (!found) {
                throw new IllegalStateException("get(" + id + ") did not return the record");
            }
        }
        Arrays.sort(millis);
        return millis;
    }

    private static double percentile(double[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double recall(Set<String> truth, List<SearchHit> hits) {
        return hits.stream().filter(h -> truth.contains(h.id())).count() / (double) truth.size();
    }

    /** Ids of the exact top-k by cosine (all vectors are unit length, so by dot product). */
    static Set<String> exactTopK(float[][] vectors, float[] query, int k) {
        int[] best = new int[k];
        double[] scores = new double[k];
        Arrays.fill(scores, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < vectors.length; i++) {
            float[] v = vectors[i];
            double dot = 0;
            for (int j = 0; j < v.length; j++) {
                dot += v[j] * query[j];
            }
            if (dot > scores[k - 1]) {
                int pos = k - 1;
                while (pos > 0 && scores[pos - 1] < dot) {
                    scores[pos] = scores[pos - 1];
                    best[pos] = best[pos - 1];
                    pos--;
                }
                scores[pos] = dot;
                best[pos] = i;
            }
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < k && scores[i] > Double.NEGATIVE_INFINITY; i++) {
            ids.add("img-" + best[i]);
        }
        return ids;
    }

    static float[] randomUnit(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) gaussian(rnd);
        }
        return normalize(v);
    }

    /** {@code centre + noise * g / sqrt(dim)} for a standard normal g, normalised. */
    static float[] near(SplittableRandom rnd, float[] centre, double noise) {
        double scale = noise / Math.sqrt(centre.length);
        float[] v = new float[centre.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (centre[i] + scale * gaussian(rnd));
        }
        return normalize(v);
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    private static float[] normalize(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        double inv = 1 / Math.sqrt(n);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * inv);
        }
        return v;
    }
}
