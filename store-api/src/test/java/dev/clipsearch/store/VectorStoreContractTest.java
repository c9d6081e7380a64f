package dev.clipsearch.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The contract every {@link VectorStore} backend passes. A backend's test subclasses this and
 * implements {@link #openStore(String, int)} and {@link #reopenStore(String, int)}; each test uses
 * its own fresh table name (see {@link #table}). Stores the tests open are closed after each test;
 * the subclass cleans up its storage (temporary directory, collections) in its own
 * {@code @AfterEach}/{@code @AfterAll}.
 *
 * <p>Approximate backends override {@link #exactSearch()} to return {@code false}: top-k is then
 * checked by recall instead of exact equality with brute force.
 */
public abstract class VectorStoreContractTest {

    /** Dimension used by most tests. */
    protected static final int DIM = 32;

    /**
     * The table name for the current test: {@code ct_<method>_<random>}, letters, digits and '_'
     * only.
     */
    protected String table;

    private final List<VectorStore> opened = new ArrayList<>();

    /**
     * Opens (creating) a fresh, empty table of this dimension. Called with a name unique to the
     * test.
     */
    protected abstract VectorStore openStore(String table, int dimension);

    /**
     * Opens an existing table again, as a new process would (new connection, new handle) after the
     * previous handle was closed. {@code dimension} may be 0 (take it from the table) or differ
     * from the stored one (must fail with {@link StoreSchemaException}); a table that does not
     * exist opened with 0 must fail with {@link StoreNotFoundException}.
     */
    protected abstract VectorStore reopenStore(String table, int dimension);

    /**
     * Whether search is exact (brute force or an exact mode). Approximate backends return false.
     */
    protected boolean exactSearch() {
        return true;
    }

    /** Absolute tolerance for scores compared with brute-force cosine similarity. */
    protected double scoreTolerance() {
        return 1e-5;
    }

    /**
     * Called after a search test has loaded its rows and before it searches: an indexed variant of
     * a backend builds its vector index here (so search tests run through the index). Default:
     * nothing.
     */
    protected void afterLoad(VectorStore store) {}

    /** Minimum recall@k against brute force for approximate backends. */
    protected double minRecall() {
        return 0.9;
    }

    @BeforeEach
    void nameTable(TestInfo info) {
        String method = info.getTestMethod().map(m -> m.getName()).orElse("t");
        table =
                "ct_"
                        + method.replaceAll("[^A-Za-z0-9]", "_")
                        + "_"
                        + Integer.toHexString(
                                ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    @AfterEach
    void closeOpened() {
        for (VectorStore s : opened) {
            s.close();
        }
        opened.clear();
    }

    /** Opens a fresh table and closes it after the test. */
    protected VectorStore open(int dimension) {
        VectorStore s = openStore(table, dimension);
        opened.add(s);
        return s;
    }

    /** Reopens this test's table and closes it after the test. */
    protected VectorStore reopen(int dimension) {
        VectorStore s = reopenStore(table, dimension);
        opened.add(s);
        return s;
    }

    /**
     * Clustered test records ({@code r0, r1, ...}), labels {@code i % labels}, with image bytes.
     */
    protected static List<ImageRecord> data(long seed, int n, int dim, int labels) {
        Random rnd = new Random(seed);
        return TestVectors.records(
                "r", TestVectors.clustered(rnd, n, dim, Math.max(1, n / 50), 0.8), labels, true);
    }

    /** Upserts in batches of {@code batch}. */
    protected static void upsertAll(VectorStore store, List<ImageRecord> records, int batch) {
        for (int i = 0; i < records.size(); i += batch) {
            store.upsert(records.subList(i, Math.min(records.size(), i + batch)));
        }
    }

    /**
     * Checks hits against brute force: exact backends must return the exact top-k scores (ties may
     * swap ids); every hit's score must equal its true cosine similarity. Returns the recall of the
     * hit ids.
     */
    protected double checkAgainstBruteForce(
            List<SearchHit> hits,
            List<ImageRecord> records,
            float[] query,
            int k,
            Predicate<ImageRecord> keep) {
        List<TestVectors.Expected> expected = TestVectors.exactTopK(records, query, k, keep);
        Map<String, ImageRecord> byId = new HashMap<>();
        for (ImageRecord r : records) {
            byId.put(r.id(), r);
        }
        Set<String> seen = new HashSet<>();
        double tol = scoreTolerance();
        for (SearchHit h : hits) {
            assertTrue(seen.add(h.id()), "duplicate hit id " + h.id());
            ImageRecord r = byId.get(h.id());
            assertNotNull(r, "hit for unknown id " + h.id());
            assertTrue(
                    keep == null || keep.test(r), "hit " + h.id() + " does not match the filter");
            assertEquals(
                    VectorChecks.cosine(query, r.vector()),
                    h.score(),
                    tol,
                    "score of hit " + h.id());
            assertEquals(r.label(), h.label(), "label of hit " + h.id());
        }
        for (int i = 1; i < hits.size(); i++) {
            assertTrue(
                    hits.get(i - 1).score() >= hits.get(i).score() - tol,
                    "hits not sorted best first at " + i);
        }
        if (exactSearch()) {
            assertEquals(expected.size(), hits.size(), "number of hits");
            for (int i = 0; i < hits.size(); i++) {
                assertEquals(
                        expected.get(i).score(), hits.get(i).score(), tol, "score at rank " + i);
            }
        }
        Set<String> truth = new HashSet<>();
        expected.forEach(e -> truth.add(e.id()));
        long found = hits.stream().filter(h -> truth.contains(h.id())).count();
        return truth.isEmpty() ? 1.0 : (double) found / truth.size();
    }

    // ---------------------------------------------------------------- search

    @Test
    void topKMatchesBruteForce() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(1, 3000, DIM, 10);
        upsertAll(store, records, 1000);
        afterLoad(store);
        assertEquals(3000, store.count());
        Random rnd = new Random(2);
        double recall = 0;
        int queries = 20;
        for (int q = 0; q < queries; q++) {
            float[] query =
                    TestVectors.near(rnd, records.get(rnd.nextInt(records.size())).vector(), 0.6);
            List<SearchHit> hits = store.search(query, 10);
            assertEquals(10, hits.size());
            recall += checkAgainstBruteForce(hits, records, query, 10, null);
        }
        recall /= queries;
        if (exactSearch()) {
            assertTrue(recall > 0.99, "exact search recall " + recall);
        } else {
            assertTrue(recall >= minRecall(), "recall@10 " + recall);
        }
    }

    @Test
    void cosineScoresAreCorrectForUnnormalisedVectors() {
        VectorStore store = open(3);
        store.upsert(
                List.of(
                        new ImageRecord("x", 0, null, new float[] {2, 0, 0}),
                        new ImageRecord("y", 1, null, new float[] {0, 5, 0}),
                        new ImageRecord("xy", 2, null, new float[] {1, 1, 0}),
                        new ImageRecord("neg", 3, null, new float[] {-3, 0, 0})));
        List<SearchHit> hits = store.search(new float[] {10, 0, 0}, 4);
        assertEquals(4, hits.size());
        assertEquals("x", hits.get(0).id());
        assertEquals(1.0, hits.get(0).score(), 1e-5);
        assertEquals("xy", hits.get(1).id());
        assertEquals(Math.sqrt(0.5), hits.get(1).score(), 1e-5);
        assertEquals("y", hits.get(2).id());
        assertEquals(0.0, hits.get(2).score(), 1e-5);
        assertEquals("neg", hits.get(3).id());
        assertEquals(-1.0, hits.get(3).score(), 1e-5);
    }

    @Test
    void kLargerThanTableReturnsEveryRow() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(3, 7, DIM, 3);
        store.upsert(records);
        List<SearchHit> hits = store.search(records.get(0).vector(), 50);
        assertEquals(7, hits.size());
        assertEquals("r0", hits.get(0).id());
        assertEquals(1.0, hits.get(0).score(), 1e-4);
    }

    @Test
    void emptyTableSearchReturnsEmpty() {
        VectorStore store = open(DIM);
        assertEquals(0, store.count());
        assertTrue(store.search(TestVectors.randomUnit(new Random(4), DIM), 10).isEmpty());
        assertTrue(
                store.search(
                                SearchRequest.of(TestVectors.randomUnit(new Random(5), DIM), 5)
                                        .withFilter(Filter.labelEquals(1)))
                        .isEmpty());
    }

    // ---------------------------------------------------------------- upsert

    @Test
    void upsertIsIdempotent() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(6, 200, DIM, 5);
        store.upsert(records);
        store.upsert(records);
        upsertAll(store, records, 37);
        assertEquals(200, store.count());
        List<SearchHit> hits = store.search(records.get(10).vector(), 5);
        assertEquals("r10", hits.get(0).id());
        assertFalse(
                hits.size() > 1 && hits.get(1).id().equals("r10"), "duplicate row after re-upsert");
        Set<String> ids = new HashSet<>();
        store.scan(false, r -> assertTrue(ids.add(r.id()), "duplicate id in scan: " + r.id()));
        assertEquals(200, ids.size());
    }

    @Test
    void upsertReplacesLabelBytesVectorAndMetadata() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(7, 100, DIM, 5);
        store.upsert(records);
        float[] newVector = TestVectors.randomUnit(new Random(77), DIM);
        byte[] newBytes = {9, 8, 7, 0, -1};
        ImageRecord updated =
                new ImageRecord("r42", 99, newBytes, newVector, Map.of("source", "updated"));
        store.upsert(List.of(updated));
        assertEquals(100, store.count());
        ImageRecord got = store.get("r42").orElseThrow();
        assertEquals(99, got.label());
        assertArrayEquals(newBytes, got.imageBytes());
        assertEquals(1.0, VectorChecks.cosine(newVector, got.vector()), 1e-5);
        assertEquals(Map.of("source", "updated"), got.metadata());
        List<SearchHit> hits = store.search(newVector, 3);
        assertEquals("r42", hits.get(0).id());
        assertEquals(99, hits.get(0).label());
        assertEquals(1.0, hits.get(0).score(), 1e-4);
        List<SearchHit> oldHits =
                store.search(
                        SearchRequest.of(records.get(42).vector(), 100)
                                .withFilter(Filter.labelEquals(records.get(42).label())));
        assertTrue(
                oldHits.stream().noneMatch(h -> h.id().equals("r42")),
                "old version of r42 still found");
    }

    @Test
    void emptyBatchIsANoOp() {
        VectorStore store = open(DIM);
        store.upsert(List.of());
        assertEquals(0, store.count());
    }

    @Test
    void nullBatchIsRejected() {
        VectorStore store = open(DIM);
        RuntimeException e = assertThrows(RuntimeException.class, () -> store.upsert(null));
        assertTrue(
                e instanceof NullPointerException || e instanceof IllegalArgumentException,
                e.toString());
    }

    @Test
    void dimensionMismatchOnUpsertWritesNothing() {
        VectorStore store = open(DIM);
        List<ImageRecord> good = data(8, 10, DIM, 2);
        store.upsert(good.subList(0, 5));
        List<ImageRecord> batch = new ArrayList<>(good.subList(5, 10));
        batch.add(3, new ImageRecord("bad-one", 0, null, new float[DIM + 1]));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> store.upsert(batch));
        assertTrue(e.getMessage().contains("bad-one"), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(DIM)), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(DIM + 1)), e.getMessage());
        assertEquals(5, store.count(), "nothing of the failed batch may be written");
        assertTrue(store.existingIds(List.of("r5", "r6", "r9", "bad-one")).isEmpty());
    }

    @Test
    void nonFiniteAndDuplicateIdsAreRejected() {
        VectorStore store = open(DIM);
        List<ImageRecord> good = data(9, 4, DIM, 2);
        float[] nan = good.get(0).vector().clone();
        nan[3] = Float.NaN;
        float[] inf = good.get(0).vector().clone();
        inf[0] = Float.POSITIVE_INFINITY;
        List<ImageRecord> withNan = new ArrayList<>(good);
        withNan.add(new ImageRecord("nan", 0, null, nan));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> store.upsert(withNan))
                        .getMessage()
                        .contains("nan"));
        List<ImageRecord> withInf = new ArrayList<>(good);
        withInf.add(new ImageRecord("inf", 0, null, inf));
        assertThrows(IllegalArgumentException.class, () -> store.upsert(withInf));
        List<ImageRecord> dup = new ArrayList<>(good);
        dup.add(good.get(1));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> store.upsert(dup))
                        .getMessage()
                        .contains(good.get(1).id()));
        List<ImageRecord> withNull = new ArrayList<>(good);
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> store.upsert(withNull));
        assertEquals(0, store.count());
    }

    @Test
    void dimensionMismatchOnSearchIsAClearError() {
        VectorStore store = open(DIM);
        store.upsert(data(10, 20, DIM, 2));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> store.search(new float[DIM - 1], 5));
        assertTrue(e.getMessage().contains(String.valueOf(DIM)), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(DIM - 1)), e.getMessage());
        float[] nan = new float[DIM];
        nan[0] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> store.search(nan, 5));
        assertThrows(
                IllegalArgumentException.class,
                () -> new SearchRequest(new float[DIM], 0, null, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new SearchRequest(new float[DIM], SearchRequest.MAX_K + 1, null, false));
        assertEquals(20, store.count());
    }

    @Test
    void batchOfTenThousand() {
        int dim = 16;
        VectorStore store = open(dim);
        Random rnd = new Random(11);
        List<ImageRecord> records =
                TestVectors.records(
                        "big", TestVectors.clustered(rnd, 10_000, dim, 100, 0.5), 50, false);
        store.upsert(records);
        afterLoad(store);
        assertEquals(10_000, store.count());
        int found = 0;
        for (int i = 0; i < 10; i++) {
            ImageRecord r = records.get(rnd.nextInt(records.size()));
            List<SearchHit> hits = store.search(r.vector(), 1);
            if (hits.get(0).id().equals(r.id())) {
                found++;
            }
            assertEquals(1.0, hits.get(0).score(), 1e-4);
        }
        assertTrue(exactSearch() ? found == 10 : found >= 8, "self-matches found: " + found);
        assertEquals(
                Set.of("big0", "big9999"),
                store.existingIds(List.of("big0", "big9999", "big10000")));
    }

    // ---------------------------------------------------------------- filters

    /** 2,000 rows; label 7 on 1% of rows (labels i % 100 => 20 rows each). */
    private List<ImageRecord> filterData(VectorStore store) {
        List<ImageRecord> records = data(12, 2000, DIM, 100);
        upsertAll(store, records, 500);
        afterLoad(store);
        return records;
    }

    private void checkFiltered(VectorStore store, List<ImageRecord> records, Filter filter, int k) {
        Random rnd = new Random(13);
        for (int q = 0; q < 5; q++) {
            float[] query = TestVectors.randomUnit(rnd, DIM);
            List<SearchHit> hits = store.search(SearchRequest.of(query, k).withFilter(filter));
            long matching =
                    records.stream().filter(r -> filter.matches(r.label(), r.metadata())).count();
            assertEquals(
                    Math.min(k, matching),
                    hits.size(),
                    "filtered search must return k hits when k match");
            for (SearchHit h : hits) {
                assertTrue(
                        filter.matches(h.label(), h.metadata()),
                        "hit " + h.id() + " does not match " + filter);
            }
            checkAgainstBruteForce(
                    hits, records, query, k, r -> filter.matches(r.label(), r.metadata()));
        }
    }

    @Test
    void filterLabelEqualsOnRareLabel() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = filterData(store);
        checkFiltered(store, records, Filter.labelEquals(7), 10);
        checkFiltered(store, records, Filter.labelEquals(7), 20);
        checkFiltered(store, records, Filter.labelEquals(7), 30);
        assertTrue(
                store.search(
                                SearchRequest.of(records.get(0).vector(), 10)
                                        .withFilter(Filter.labelEquals(12345)))
                        .isEmpty());
    }

    @Test
    void filterLabelIn() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = filterData(store);
        checkFiltered(store, records, Filter.labelIn(List.of(3, 64)), 10);
        checkFiltered(store, records, Filter.labelIn(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), 25);
    }

    @Test
    void filterMetadataEqualsAndAnd() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = filterData(store);
        checkFiltered(store, records, Filter.metadataEquals("source", "odd"), 10);
        checkFiltered(store, records, Filter.metadataEquals("labelName", "class-42"), 10);
        checkFiltered(
                store,
                records,
                Filter.and(Filter.metadataEquals("source", "even"), Filter.labelIn(List.of(4, 5))),
                10);
        assertTrue(
                store.search(
                                SearchRequest.of(records.get(0).vector(), 10)
                                        .withFilter(Filter.metadataEquals("source", "none")))
                        .isEmpty());
    }

    @Test
    void filterValuesAreEscapedNotInterpreted() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = new ArrayList<>(data(14, 20, DIM, 2));
        String nasty = "it's \"quoted\" \\ % _ ) OR 1=1 --; ü";
        records.add(
                new ImageRecord(
                        "nasty",
                        1,
                        null,
                        TestVectors.randomUnit(new Random(15), DIM),
                        Map.of("source", nasty)));
        store.upsert(records);
        List<SearchHit> hits =
                store.search(
                        SearchRequest.of(records.get(0).vector(), 10)
                                .withFilter(Filter.metadataEquals("source", nasty)));
        assertEquals(1, hits.size());
        assertEquals("nasty", hits.get(0).id());
        assertEquals(nasty, hits.get(0).metadata().get("source"));
        assertTrue(
                store.search(
                                SearchRequest.of(records.get(0).vector(), 10)
                                        .withFilter(
                                                Filter.metadataEquals("source", "x' OR '1'='1")))
                        .isEmpty());
    }

    // ---------------------------------------------------------------- bytes, get, ids, delete,
    // scan

    @Test
    void imageBytesOnlyOnRequestAndByteExact() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(16, 50, DIM, 5);
        store.upsert(records);
        float[] q = records.get(3).vector();
        for (SearchHit h : store.search(q, 10)) {
            assertNull(h.imageBytes(), "bytes returned without request for " + h.id());
        }
        List<SearchHit> hits = store.search(SearchRequest.of(q, 10).withImageBytes());
        assertEquals(10, hits.size());
        Map<String, ImageRecord> byId = new HashMap<>();
        records.forEach(r -> byId.put(r.id(), r));
        for (SearchHit h : hits) {
            assertArrayEquals(byId.get(h.id()).imageBytes(), h.imageBytes(), "bytes of " + h.id());
            assertEquals(byId.get(h.id()).metadata(), h.metadata(), "metadata of " + h.id());
        }
    }

    @Test
    void getReturnsTheFullRecord() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = new ArrayList<>(data(17, 30, DIM, 5));
        records.add(
                new ImageRecord("no-bytes", 4, null, TestVectors.randomUnit(new Random(18), DIM)));
        store.upsert(records);
        ImageRecord r = records.get(12);
        ImageRecord got = store.get(r.id()).orElseThrow();
        assertEquals(r.id(), got.id());
        assertEquals(r.label(), got.label());
        assertArrayEquals(r.imageBytes(), got.imageBytes());
        assertEquals(r.metadata(), got.metadata());
        assertEquals(DIM, got.vector().length);
        assertEquals(1.0, VectorChecks.cosine(r.vector(), got.vector()), 1e-5);
        ImageRecord noBytes = store.get("no-bytes").orElseThrow();
        assertTrue(noBytes.imageBytes() == null || noBytes.imageBytes().length == 0);
        assertEquals(Map.of(), noBytes.metadata());
        assertEquals(Optional.empty(), store.get("missing"));
    }

    @Test
    void getAllReturnsTheStoredRecordsWithoutBytes() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(23, 40, DIM, 5);
        store.upsert(records);
        Map<String, ImageRecord> got = store.getAll(List.of("r3", "r39", "missing", "r3"));
        assertEquals(Set.of("r3", "r39"), got.keySet());
        ImageRecord r3 = got.get("r3");
        assertEquals(records.get(3).label(), r3.label());
        assertEquals(records.get(3).metadata(), r3.metadata());
        assertTrue(r3.imageBytes() == null || r3.imageBytes().length == 0);
        assertEquals(1.0, VectorChecks.cosine(records.get(3).vector(), r3.vector()), 1e-5);
        assertEquals(Map.of(), store.getAll(List.of()));
    }

    // ---------------------------------------------------------------- table metadata

    @Test
    void tableMetadataMergesAndSurvivesReopen() {
        VectorStore store = openStore(table, DIM);
        assertEquals(Map.of(), store.tableMetadata());
        store.putTableMetadata(Map.of("model.name", "openai/clip", "model.precision", "BF16"));
        store.putTableMetadata(Map.of("model.precision", "FP32", "dataset.ids", "a\nb"));
        Map<String, String> expected =
                Map.of(
                        "model.name",
                        "openai/clip",
                        "model.precision",
                        "FP32",
                        "dataset.ids",
                        "a\nb");
        assertEquals(expected, store.tableMetadata());
        store.upsert(data(24, 5, DIM, 2));
        assertEquals(expected, store.tableMetadata(), "rows written keep the table metadata");
        store.close();
        VectorStore again = reopen(0);
        assertEquals(expected, again.tableMetadata());
        assertEquals(5, again.count());
    }

    @Test
    void invalidTableMetadataIsRefusedAndWritesNothing() {
        VectorStore store = open(DIM);
        Map<String, String> withNull = new HashMap<>();
        withNull.put("ok", null);
        for (Map<String, String> bad : List.of(Map.of("", "x"), Map.of("bad key", "x"), withNull)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> store.putTableMetadata(bad));
            assertTrue(e.getMessage().contains("metadata"), e.getMessage());
        }
        assertEquals(Map.of(), store.tableMetadata());
    }

    @Test
    void refreshShowsWritesOfAnotherHandle() {
        VectorStore writer = open(DIM);
        List<ImageRecord> records = data(25, 30, DIM, 3);
        writer.upsert(records.subList(0, 20));
        VectorStore reader = reopen(0);
        assertEquals(20, reader.count());
        writer.upsert(records.subList(20, 30));
        writer.putTableMetadata(Map.of("k", "v"));
        reader.refresh();
        assertEquals(30, reader.count());
        assertEquals(Map.of("k", "v"), reader.tableMetadata());
        assertTrue(reader.get("r25").isPresent());
        assertEquals("r27", reader.search(records.get(27).vector(), 1).get(0).id());
        assertFalse(reader.refresh(), "nothing new: refresh changes nothing");
        assertEquals(30, reader.count());
    }

    @Test
    void existingIdsDeleteAndCount() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(19, 100, DIM, 5);
        store.upsert(records);
        assertEquals(Set.of("r1", "r99"), store.existingIds(List.of("r1", "r99", "r100", "nope")));
        assertEquals(Set.of(), store.existingIds(List.of()));
        assertEquals(3, store.delete(List.of("r1", "r2", "r3", "r1000")));
        assertEquals(97, store.count());
        assertEquals(0, store.delete(List.of("r1", "nope")));
        assertEquals(0, store.delete(List.of()));
        assertEquals(Optional.empty(), store.get("r2"));
        assertTrue(
                store.search(records.get(2).vector(), 100).stream()
                        .noneMatch(h -> h.id().equals("r2")));
        store.upsert(List.of(records.get(2)));
        assertEquals(98, store.count());
        assertEquals("r2", store.search(records.get(2).vector(), 1).get(0).id());
    }

    @Test
    void idsWithQuotesSpacesAndUnicodeRoundTrip() {
        VectorStore store = open(DIM);
        List<String> ids =
                List.of(
                        "it's.jpg",
                        "a \"quoted\" name.png",
                        "back\\slash",
                        "日本語/猫 1.jpg",
                        "x' OR '1'='1",
                        "tab\tname",
                        "%_wild_%");
        Random rnd = new Random(27);
        List<ImageRecord> records = new ArrayList<>();
        for (String id : ids) {
            records.add(
                    new ImageRecord(
                            id,
                            1,
                            TestVectors.bytesFor(id.length()),
                            TestVectors.randomUnit(rnd, DIM)));
        }
        records.add(new ImageRecord("plain", 2, null, TestVectors.randomUnit(rnd, DIM)));
        store.upsert(records);
        for (ImageRecord r : records) {
            assertEquals(r.id(), store.get(r.id()).orElseThrow().id());
            assertEquals(r.id(), store.search(r.vector(), 1).get(0).id());
        }
        assertEquals(Set.copyOf(ids), store.existingIds(ids));
        assertEquals(Optional.empty(), store.get("it"));
        assertEquals(Optional.empty(), store.get("%"));
        assertEquals(2, store.delete(List.of("it's.jpg", "x' OR '1'='1")));
        assertEquals(records.size() - 2, store.count());
        assertTrue(store.get("plain").isPresent());
    }

    @Test
    void scanVisitsEveryRecordOnce() {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(20, 1234, DIM, 7);
        upsertAll(store, records, 500);
        Map<String, ImageRecord> byId = new HashMap<>();
        records.forEach(r -> byId.put(r.id(), r));
        List<ImageRecord> seen = Collections.synchronizedList(new ArrayList<>());
        store.scan(false, seen::add);
        assertEquals(1234, seen.size());
        assertEquals(1234, new HashSet<>(seen.stream().map(ImageRecord::id).toList()).size());
        for (ImageRecord r : seen) {
            ImageRecord orig = byId.get(r.id());
            assertNull(r.imageBytes(), "scan(false) returned bytes for " + r.id());
            assertEquals(orig.label(), r.label());
            assertEquals(orig.metadata(), r.metadata());
            assertEquals(1.0, VectorChecks.cosine(orig.vector(), r.vector()), 1e-5);
        }
        List<ImageRecord> withBytes = new ArrayList<>();
        store.scan(true, withBytes::add);
        assertEquals(1234, withBytes.size());
        for (ImageRecord r : withBytes) {
            assertArrayEquals(byId.get(r.id()).imageBytes(), r.imageBytes(), "bytes of " + r.id());
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void reopenAfterCloseKeepsData() {
        VectorStore store = openStore(table, DIM);
        List<ImageRecord> records = data(21, 300, DIM, 5);
        upsertAll(store, records, 100);
        store.close();
        VectorStore again = reopen(DIM);
        assertEquals(300, again.count());
        assertEquals(
                records.get(5),
                again.get("r5")
                        .map(
                                r ->
                                        new ImageRecord(
                                                r.id(),
                                                r.label(),
                                                r.imageBytes(),
                                                records.get(5).vector(),
                                                r.metadata()))
                        .orElseThrow());
        assertEquals("r7", again.search(records.get(7).vector(), 1).get(0).id());
        again.upsert(
                List.of(
                        new ImageRecord(
                                "after-reopen",
                                1,
                                null,
                                TestVectors.randomUnit(new Random(1), DIM))));
        assertEquals(301, again.count());
    }

    /** Creates this test's table with {@code n} records and closes it. */
    private void closedTableWith(int n) {
        try (VectorStore store = openStore(table, DIM)) {
            store.upsert(data(22, n, DIM, 2));
        }
    }

    @Test
    void reopenWithDimensionZeroTakesItFromTheTable() {
        closedTableWith(10);
        VectorStore again = reopen(0);
        assertEquals(DIM, again.dimension());
        assertEquals(10, again.count());
    }

    @Test
    void reopenWithAnotherDimensionFails() {
        closedTableWith(10);
        StoreSchemaException e = assertThrows(StoreSchemaException.class, () -> reopen(DIM * 2));
        assertTrue(e.getMessage().contains(String.valueOf(DIM)), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(DIM * 2)), e.getMessage());
        assertTrue(e.getMessage().contains(table), e.getMessage());
        VectorStore ok = reopen(DIM);
        assertEquals(10, ok.count());
    }

    @Test
    void openingAMissingTableWithoutDimensionIsNotFound() {
        StoreNotFoundException e = assertThrows(StoreNotFoundException.class, () -> reopen(0));
        assertTrue(e.getMessage().contains(table), e.getMessage());
        assertTrue(e.getMessage().contains("dimension"), e.getMessage());
        assertTrue(e instanceof StoreException);
        // the failed open created nothing: the table is still missing
        assertThrows(StoreNotFoundException.class, () -> reopen(0));
        assertEquals(0, open(DIM).count());
    }

    @Test
    void closeIsIdempotentAndClosedStoreRefusesWork() {
        VectorStore store = openStore(table, DIM);
        store.upsert(data(24, 5, DIM, 2));
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, store::count);
        assertThrows(
                IllegalStateException.class,
                () -> store.search(TestVectors.randomUnit(new Random(1), DIM), 1));
    }

    @Test
    void infoDescribesTheTable() {
        VectorStore store = open(DIM);
        store.upsert(data(25, 42, DIM, 2));
        TableInfo info = store.info();
        assertEquals(table, info.table());
        assertEquals(table, store.tableName());
        assertEquals(42, info.rows());
        assertEquals(DIM, info.dimension());
        assertEquals(DIM, store.dimension());
        assertNotNull(info.index());
        assertFalse(info.index().isBlank());
        assertNotNull(info.location());
        assertFalse(info.location().isBlank());
    }

    @Test
    void concurrentReadersWhileWriterUpserts() throws Exception {
        VectorStore store = open(DIM);
        List<ImageRecord> records = data(26, 2000, DIM, 10);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(3);
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int seed = t;
            Thread th =
                    new Thread(
                            () -> {
                                Random rnd = new Random(seed);
                                long last = 0;
                                started.countDown();
                                try {
                                    while (!done.get()) {
                                        long c = store.count();
                                        if (c < last) {
                                            throw new AssertionError(
                                                    "count went down: " + last + " -> " + c);
                                        }
                                        last = c;
                                        List<SearchHit> hits =
                                                store.search(TestVectors.randomUnit(rnd, DIM), 5);
                                        if (hits.size() > 5 || (c >= 5 && hits.size() < 5)) {
                                            throw new AssertionError(
                                                    "bad hit count "
                                                            + hits.size()
                                                            + " with "
                                                            + c
                                                            + " rows");
                                        }
                                    }
                                } catch (Throwable e) {
                                    errors.add(e);
                                }
                            },
                            "contract-reader-" + t);
            th.start();
            readers.add(th);
        }
        started.await();
        try {
            upsertAll(store, records, 100);
            upsertAll(store, records.subList(0, 500), 250);
        } finally {
            done.set(true);
            for (Thread th : readers) {
                th.join(60_000);
            }
        }
        if (!errors.isEmpty()) {
            Throwable first = errors.peek();
            fail("reader failed: " + first, first);
        }
        assertEquals(2000, store.count());
        Set<String> ids = new HashSet<>();
        store.scan(false, r -> ids.add(r.id()));
        assertEquals(2000, ids.size());
        assertEquals("r1999", store.search(records.get(1999).vector(), 1).get(0).id());
    }
}
