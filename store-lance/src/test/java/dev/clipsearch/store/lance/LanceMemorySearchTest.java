package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.Filter;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact search from the memory-resident vectors returns what Lance's own exact search returns, on
 * random data with every kind of filter and k, and follows the table as it changes.
 */
class LanceMemorySearchTest {

    private static final int DIM = 48;

    @TempDir Path dir;

    private static final List<Filter> FILTERS =
            List.of(
                    Filter.labelEquals(3),
                    Filter.labelIn(List.of(0, 7, 19)),
                    Filter.metadataEquals("source", "odd"),
                    Filter.metadataEquals("labelName", "class-11"),
                    Filter.and(
                            Filter.metadataEquals("source", "even"), Filter.labelIn(List.of(4, 6))),
                    Filter.labelEquals(12345));

    private LanceVectorStore open(String table, long memoryRows) {
        return LanceVectorStore.open(
                dir, table, DIM, LanceOptions.defaults().withMemoryRows(memoryRows));
    }

    /** Same hits, same order (near-ties may swap), same scores, labels, metadata and bytes. */
    private static void assertSameHits(List<SearchHit> lance, List<SearchHit> memory, String what) {
        assertEquals(lance.size(), memory.size(), "number of hits, " + what);
        for (int i = 0; i < lance.size(); i++) {
            SearchHit a = lance.get(i);
            SearchHit b = memory.get(i);
            assertEquals(a.score(), b.score(), 1e-5, "score at rank " + i + ", " + what);
            if (!a.id().equals(b.id())) {
                // a tie within float rounding may order either way
                assertTrue(
                        Math.abs(a.score() - b.score()) < 1e-5
                                && memory.stream().anyMatch(h -> h.id().equals(a.id())),
                        "rank " + i + ": " + a.id() + " vs " + b.id() + ", " + what);
                continue;
            }
            assertEquals(a.label(), b.label(), what);
            assertEquals(a.metadata(), b.metadata(), what);
            assertArrayEquals(a.imageBytes(), b.imageBytes(), what);
        }
    }

    private static void compare(
            LanceVectorStore lance, LanceVectorStore memory, long seed, int queries) {
        Random rnd = new Random(seed);
        for (int q = 0; q < queries; q++) {
            float[] query = TestVectors.randomUnit(rnd, DIM);
            for (int i = 0; i < DIM; i++) {
                query[i] *= 3.5f; // unnormalised queries too
            }
            for (int k : new int[] {1, 10, 57, 5000}) {
                List<Filter> filters = new ArrayList<>();
                filters.add(null);
                filters.addAll(FILTERS);
                for (Filter f : filters) {
                    SearchRequest request = new SearchRequest(query, k, f, k == 10 && q % 2 == 0);
                    String what = "query " + q + ", k " + k + ", filter " + f;
                    assertSameHits(lance.search(request), memory.search(request), what);
                }
            }
        }
    }

    @Test
    void memorySearchEqualsLanceExactSearchAndFollowsTheTable() {
        List<ImageRecord> records =
                TestVectors.records(
                        "m", TestVectors.clustered(new Random(1), 3000, DIM, 40, 0.7), 20, true);
        try (LanceVectorStore memory = open("cmp", 100_000)) {
            memory.upsert(records.subList(0, 2500));
            try (LanceVectorStore lance = open("cmp", 0)) {
                compare(lance, memory, 2, 4);
                assertEquals(2500, memory.memoryRowsLoaded());
                assertEquals(-1, lance.memoryRowsLoaded());
            }
            // the table changes: new rows, a replaced vector, a deleted row
            memory.upsert(records.subList(2500, 3000));
            ImageRecord moved = records.get(5);
            float[] v = records.get(2999).vector().clone();
            memory.upsert(
                    List.of(
                            new ImageRecord(
                                    moved.id(), 4, moved.imageBytes(), v, moved.metadata())));
            memory.delete(List.of("m2999"));
            List<SearchHit> hits = memory.search(SearchRequest.of(v, 1));
            assertEquals("m5", hits.get(0).id());
            assertEquals(2999, memory.memoryRowsLoaded());
            try (LanceVectorStore lance = open("cmp", 0)) {
                compare(lance, memory, 3, 3);
            }
        }
    }

    @Test
    void largeOrIndexedTablesAreNotHeldInMemory() {
        List<ImageRecord> records =
                TestVectors.records(
                        "n", TestVectors.clustered(new Random(4), 600, DIM, 10, 0.7), 5, false);
        try (LanceVectorStore store = open("big", 500)) {
            store.upsert(records.subList(0, 400));
            store.search(records.get(0).vector(), 3);
            assertEquals(400, store.memoryRowsLoaded());
            store.upsert(records.subList(400, 600));
            assertEquals("n500", store.search(records.get(500).vector(), 1).get(0).id());
            assertEquals(-1, store.memoryRowsLoaded(), "over memory_rows: read from the table");
        }
        try (LanceVectorStore store = open("indexed", 100_000)) {
            store.upsert(records);
            store.search(records.get(0).vector(), 3);
            assertEquals(600, store.memoryRowsLoaded());
            store.createIndex(IndexOptions.of(IndexOptions.IndexType.IVF_PQ));
            assertEquals("n1", store.search(records.get(1).vector(), 1).get(0).id());
            assertEquals(-1, store.memoryRowsLoaded(), "with a vector index: the index searches");
        }
    }
}
