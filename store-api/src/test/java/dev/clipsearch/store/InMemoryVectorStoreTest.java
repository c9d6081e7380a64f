package dev.clipsearch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs the contract suite against the in-memory reference store, plus its own checks. */
class InMemoryVectorStoreTest extends VectorStoreContractTest {

    private static final String DB = "contract-test";

    @Override
    protected VectorStore openStore(String table, int dimension) {
        return VectorStores.open("memory:" + DB, table, dimension);
    }

    @Override
    protected VectorStore reopenStore(String table, int dimension) {
        return VectorStores.open("memory:" + DB, table, dimension);
    }

    @AfterEach
    void dropTable() {
        InMemoryVectorStore.drop(DB, table);
    }

    @Test
    void twoHandlesShareOneTable() {
        try (VectorStore a = open(4);
                VectorStore b = VectorStores.open("memory:" + DB, table, 0)) {
            a.upsert(List.of(new ImageRecord("one", 1, null, new float[] {1, 2, 3, 4})));
            assertEquals(1, b.count());
            assertEquals("one", b.search(new float[] {1, 2, 3, 4}, 1).get(0).id());
        }
    }

    @Test
    void separateDatabasesAreIndependent() {
        try (VectorStore a = VectorStores.open("memory:db-a", table, 4);
                VectorStore b = VectorStores.open("memory:db-b", table, 4)) {
            a.upsert(
                    List.of(
                            new ImageRecord(
                                    "one", 1, null, TestVectors.randomUnit(new Random(1), 4))));
            assertEquals(0, b.count());
        } finally {
            InMemoryVectorStore.drop("db-a", table);
            InMemoryVectorStore.drop("db-b", table);
        }
    }

    @Test
    void openingAMissingTableWithoutDimensionFails() {
        StoreNotFoundException e =
                assertThrows(
                        StoreNotFoundException.class,
                        () -> VectorStores.openExisting("memory:" + DB, "no_such_table"));
        assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
    }

    @Test
    void anUnknownSchemeNamesTheDependencyToAdd() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> VectorStores.open("sqlite:x.db", "t", 3));
        assertTrue(e.getMessage().contains("dev.clipsearch:store-sqlite"), e.getMessage());
        assertTrue(e.getMessage().contains("memory"), e.getMessage());
    }

    @Test
    void storedRecordsAreCopies() {
        VectorStore store = open(3);
        float[] v = {1, 0, 0};
        byte[] bytes = {1, 2, 3};
        store.upsert(List.of(new ImageRecord("a", 0, bytes, v)));
        v[0] = -1;
        bytes[0] = 9;
        ImageRecord got = store.get("a").orElseThrow();
        assertEquals(1f, got.vector()[0]);
        assertEquals(1, got.imageBytes()[0]);
    }
}
