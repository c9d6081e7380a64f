package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.TestVectors;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetch by id goes through the BTREE index on id, kept in step by upserts and index builds. */
class LanceFetchByIdTest {

    @TempDir Path dir;

    @Test
    void upsertsBuildAndUpdateTheIdIndexAndGetFindsEveryRow() {
        List<ImageRecord> records =
                TestVectors.records(
                        "f", TestVectors.clustered(new Random(1), 12_000, 8, 20, 0.5), 10, true);
        try (LanceVectorStore store =
                LanceVectorStore.open(dir, "fetch", 8, LanceOptions.defaults())) {
            store.upsert(records.subList(0, 1000));
            assertFalse(store.hasIdIndex(), "no id index below " + LanceVectorStore.ID_INDEX_ROWS);
            org.lance.ipc.ScanStats scanned = store.lookupStats("f5");
            for (int i = 1000; i < records.size(); i += 1000) {
                store.upsert(records.subList(i, i + 1000));
            }
            assertTrue(store.hasIdIndex(), "id index built once the table has grown");
            org.lance.ipc.ScanStats indexed = store.lookupStats("f5");
            assertEquals(
                    0, scanned.getIndicesLoaded() + scanned.getIndexComparisons(), "" + scanned);
            assertTrue(
                    indexed.getIndicesLoaded() > 0 || indexed.getIndexComparisons() > 0,
                    "lookup uses the id index: " + indexed + " (without: " + scanned + ")");
            for (int i : new int[] {0, 5, 4095, 4096, 9000, 11_999}) {
                assertEquals(records.get(i), store.get("f" + i).orElseThrow(), "f" + i);
            }
            assertTrue(store.get("f12000").isEmpty());
            assertTrue(store.get("f' OR '1'='1").isEmpty());
            // replaced and deleted rows: the index never returns stale rows
            ImageRecord replaced =
                    new ImageRecord(
                            "f7", 99, new byte[] {1, 2, 3}, new float[] {1, 0, 0, 0, 0, 0, 0, 0});
            store.upsert(List.of(replaced));
            assertEquals(replaced, store.get("f7").orElseThrow());
            store.delete(List.of("f8"));
            assertTrue(store.get("f8").isEmpty());
            assertEquals(java.util.Set.of("f7"), store.existingIds(List.of("f7", "f8")));
            assertTrue(store.unindexedIdRows() > 0, "rows written since the last update");
        }
        // closing the writer brought the id index up to date
        try (LanceVectorStore again =
                LanceVectorStore.open(dir, "fetch", 0, LanceOptions.defaults())) {
            assertTrue(again.hasIdIndex());
            assertEquals(0, again.unindexedIdRows());
            assertEquals(records.get(11_000), again.get("f11000").orElseThrow());
        }
    }

    @Test
    void createIndexBuildsTheIdIndexOnSmallTables() {
        List<ImageRecord> records =
                TestVectors.records(
                        "s", TestVectors.clustered(new Random(2), 300, 8, 5, 0.5), 3, true);
        try (LanceVectorStore store =
                LanceVectorStore.open(dir, "small", 8, LanceOptions.defaults())) {
            store.upsert(records);
            assertFalse(store.hasIdIndex());
            store.createIndex(IndexOptions.auto());
            assertTrue(store.hasIdIndex());
            assertEquals(records.get(299), store.get("s299").orElseThrow());
        }
    }
}
