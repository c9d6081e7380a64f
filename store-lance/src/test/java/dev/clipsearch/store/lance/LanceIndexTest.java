package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.Filter;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.StoreLocation;
import dev.clipsearch.store.TestVectors;
import dev.clipsearch.store.VectorChecks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.lance.index.IndexType;

/**
 * ANN indexes on clustered data: recall against exact search, rows added after the index, filters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LanceIndexTest {

    private static final int DIM = 96;
    private static final int ROWS = 20_000;

    @TempDir Path dir;
    private List<ImageRecord> records;
    private List<float[]> centres;

    @BeforeAll
    void data() {
        Random rnd = new Random(42);
        centres = new ArrayList<>();
        for (int c = 0; c < 300; c++) {
            centres.add(TestVectors.randomUnit(rnd, DIM));
        }
        records = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            float[] v = TestVectors.near(rnd, centres.get(rnd.nextInt(centres.size())), 0.65);
            // label 7 on 1% of rows
            records.add(
                    new ImageRecord(
                            "r" + i,
                            i % 100,
                            null,
                            v,
                            Map.of("source", i % 2 == 0 ? "even" : "odd")));
        }
    }

    @AfterAll
    void done() {
        records = null;
    }

    private LanceVectorStore open(String table) {
        return LanceVectorStore.open(
                dir.resolve("db"), table, DIM, LanceOptions.from(StoreLocation.parse("lance:x")));
    }

    private static void load(LanceVectorStore store, List<ImageRecord> rows) {
        for (int i = 0; i < rows.size(); i += 10_000) {
            store.upsert(rows.subList(i, Math.min(rows.size(), i + 10_000)));
        }
    }

    private double recallAt10(LanceVectorStore store, List<ImageRecord> data, int queries) {
        Random rnd = new Random(7);
        double recall = 0;
        for (int q = 0; q < queries; q++) {
            float[] query = TestVectors.near(rnd, centres.get(rnd.nextInt(centres.size())), 0.65);
            Set<String> truth = new HashSet<>();
            TestVectors.exactTopK(data, query, 10, null).forEach(e -> truth.add(e.id()));
            List<SearchHit> hits = store.search(query, 10);
            assertEquals(10, hits.size());
            recall += hits.stream().filter(h -> truth.contains(h.id())).count() / 10.0;
        }
        return recall / queries;
    }

    private void checkIndex(IndexOptions options, IndexType expected) {
        List<ImageRecord> all = new ArrayList<>(records);
        try (LanceVectorStore store = open("idx_" + expected.name().toLowerCase())) {
            load(store, records);
            long t0 = System.nanoTime();
            store.createIndex(options);
            long buildMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(expected, store.vectorIndexType());
            assertTrue(store.info().index().startsWith(expected.name()), store.info().index());
            double recall = recallAt10(store, records, 100);
            System.out.printf(
                    "%s: build %d ms, recall@10 %.4f, %s%n",
                    expected, buildMs, recall, store.info().index());
            assertTrue(recall >= 0.95, expected + " recall@10 " + recall);

            // scores of indexed hits are refined with the stored vectors: true cosine similarities
            float[] q = records.get(5).vector();
            for (SearchHit h : store.search(q, 10)) {
                ImageRecord r = records.get(Integer.parseInt(h.id().substring(1)));
                assertEquals(
                        VectorChecks.cosine(q, r.vector()), h.score(), 1e-4, "score of " + h.id());
            }

            // rows added after the index are found (Lance also searches unindexed fragments)
            Random rnd = new Random(99);
            List<ImageRecord> added = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                added.add(
                        new ImageRecord(
                                "new" + i,
                                1000,
                                null,
                                TestVectors.near(rnd, centres.get(i), 0.65)));
            }
            store.upsert(added);
            for (ImageRecord r : added) {
                List<SearchHit> hits = store.search(r.vector(), 1);
                assertEquals(r.id(), hits.get(0).id());
                assertEquals(1.0, hits.get(0).score(), 1e-4);
            }
            all.addAll(added);
            assertTrue(recallAt10(store, all, 30) >= 0.95);

            // a rare filter (1% of rows) still returns k hits, and they are the exact filtered
            // top-k
            for (int q2 = 0; q2 < 10; q2++) {
                float[] query =
                        TestVectors.near(rnd, centres.get(rnd.nextInt(centres.size())), 0.65);
                Filter rare = Filter.labelEquals(7);
                List<SearchHit> hits = store.search(SearchRequest.of(query, 10).withFilter(rare));
                assertEquals(10, hits.size());
                Set<String> truth = new HashSet<>();
                TestVectors.exactTopK(all, query, 10, r -> r.label() == 7)
                        .forEach(e -> truth.add(e.id()));
                long found = hits.stream().filter(h -> truth.contains(h.id())).count();
                // searched exactly (the filter matches fewer than exact_filter_rows rows)
                assertEquals(10, found, "filtered recall " + found + "/10");
                assertTrue(hits.stream().allMatch(h -> h.label() == 7));
            }
            // the new label exists 50 times; k=50 must return all of them
            List<SearchHit> fifty =
                    store.search(
                            SearchRequest.of(added.get(0).vector(), 50)
                                    .withFilter(Filter.labelEquals(1000)));
            assertEquals(50, fifty.size());
        }
        // a reopened store finds the index and its partition count
        try (LanceVectorStore again = open("idx_" + expected.name().toLowerCase())) {
            assertEquals(expected, again.vectorIndexType());
            assertEquals(records.size() + 50, again.count());
            assertTrue(again.tuning().nprobes() >= 1);
            assertTrue(recallAt10(again, all, 20) >= 0.95);
        }
        // with exact search for selective filters switched off, filtered searches go through the
        // index with
        // prefiltering and fall back to exact search when the index returns fewer than k
        try (LanceVectorStore indexedFilters =
                LanceVectorStore.open(
                        dir.resolve("db"),
                        "idx_" + expected.name().toLowerCase(),
                        0,
                        LanceOptions.from(StoreLocation.parse("lance:x?exact_filter_rows=1")))) {
            Random rnd = new Random(5);
            for (Filter f :
                    List.of(
                            Filter.labelEquals(7),
                            Filter.metadataEquals("source", "even"),
                            Filter.labelEquals(1000))) {
                for (int q = 0; q < 5; q++) {
                    float[] query =
                            TestVectors.near(rnd, centres.get(rnd.nextInt(centres.size())), 0.65);
                    List<SearchHit> hits =
                            indexedFilters.search(SearchRequest.of(query, 10).withFilter(f));
                    assertEquals(10, hits.size(), "hits for " + f);
                    assertTrue(
                            hits.stream().allMatch(h -> f.matches(h.label(), h.metadata())),
                            f.toString());
                }
            }
        }
    }

    @Test
    void ivfHnswSqRecall() {
        checkIndex(
                new IndexOptions(IndexOptions.IndexType.IVF_HNSW_SQ, Map.of("num_partitions", "4")),
                IndexType.IVF_HNSW_SQ);
    }

    @Test
    void ivfPqRecall() {
        checkIndex(IndexOptions.of(IndexOptions.IndexType.IVF_PQ), IndexType.IVF_PQ);
    }

    @Test
    void autoStaysExactBelowThresholdAndNoneDropsTheIndex() {
        try (LanceVectorStore store =
                LanceVectorStore.open(
                        dir.resolve("db"),
                        "auto",
                        DIM,
                        LanceOptions.from(StoreLocation.parse("lance:x?index_threshold=20000")))) {
            load(store, records.subList(0, 10_000));
            store.createIndex(IndexOptions.auto());
            assertEquals(null, store.vectorIndexType());
            assertEquals("none (exact)", store.info().index());
            load(store, records.subList(10_000, 20_000));
            store.createIndex(IndexOptions.auto());
            assertEquals(IndexType.IVF_HNSW_SQ, store.vectorIndexType());
            store.createIndex(IndexOptions.of(IndexOptions.IndexType.NONE));
            assertEquals(null, store.vectorIndexType());
            assertEquals(20_000, store.count());
        }
        try (LanceVectorStore again =
                LanceVectorStore.open(dir.resolve("db"), "auto", 0, LanceOptions.defaults())) {
            assertEquals(null, again.vectorIndexType());
        }
    }
}
