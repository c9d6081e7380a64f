package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.StoreSchemaException;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed entry point, and the URI form as a thin layer over it. */
class LanceBuilderTest {

    @TempDir Path dir;

    @Test
    void builderSetsEveryOptionAndTheUriParsesIntoTheSameOptions() {
        LanceOptions typed;
        try (VectorStore store =
                LanceVectorStore.builder(dir)
                        .table("typed")
                        .dimension(4)
                        .indexThreshold(5)
                        .nprobes(3)
                        .refineFactor(4)
                        .ef(7)
                        .indexCacheMb(16)
                        .exactFilterRows(9)
                        .memoryRows(11)
                        .open()) {
            typed = ((LanceVectorStore) store).options();
            assertEquals(new LanceOptions(5, 3, 4, 7, 16L << 20, 9, 11), typed);
            assertEquals(dir.resolve("typed.lance").toString(), store.info().location());
            store.upsert(List.of(new ImageRecord("a", 1, null, new float[] {0, 1, 0, 0})));
        }
        String uri =
                "lance:"
                        + dir
                        + "?index_threshold=5&nprobes=3&refine_factor=4&ef=7&index_cache_mb=16"
                        + "&exact_filter_rows=9&memory_rows=11";
        try (VectorStore store = VectorStores.openExisting(uri, "typed")) {
            assertEquals(typed, ((LanceVectorStore) store).options());
            assertEquals(4, store.dimension());
            assertEquals(1, store.count());
        }
    }

    @Test
    void defaultsAreTheUriDefaultsAndTheDefaultTable() {
        try (VectorStore store = LanceVectorStore.builder(dir.resolve("new")).dimension(8).open()) {
            assertEquals(VectorStores.DEFAULT_TABLE, store.tableName());
            assertEquals(LanceOptions.defaults(), ((LanceVectorStore) store).options());
            assertTrue(Files.isDirectory(dir.resolve("new").resolve("image_search.lance")));
        }
        try (VectorStore store =
                VectorStores.openExisting("lance:" + dir.resolve("new"), "image_search")) {
            assertEquals(LanceOptions.defaults(), ((LanceVectorStore) store).options());
        }
    }

    @Test
    void badValuesNameTheOptionAndTableErrorsAreTyped() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> LanceVectorStore.builder(dir).nprobes(-1));
        assertTrue(e.getMessage().contains("nprobes"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> LanceVectorStore.builder(dir).dimension(-3));
        assertThrows(
                IllegalArgumentException.class,
                () -> LanceVectorStore.builder(dir).table("../x").dimension(4).open());
        StoreNotFoundException missing =
                assertThrows(
                        StoreNotFoundException.class,
                        () -> LanceVectorStore.builder(dir).table("absent").open());
        assertTrue(missing.getMessage().contains("absent.lance"), missing.getMessage());
        LanceVectorStore.builder(dir).table("t8").dimension(8).open().close();
        StoreSchemaException schema =
                assertThrows(
                        StoreSchemaException.class,
                        () -> LanceVectorStore.builder(dir).table("t8").dimension(16).open());
        assertTrue(schema.getMessage().contains("dimension 8"), schema.getMessage());
    }
}
