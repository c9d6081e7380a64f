package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.StoreLocation;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.TestVectors;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On-disk layout (LanceDB-compatible), URI handling and recovery after a crashed write. */
class LanceStoreLayoutTest {

    @TempDir Path dir;

    private static List<ImageRecord> records(int n, int dim) {
        return TestVectors.records(
                "r", TestVectors.clustered(new Random(1), n, dim, 5, 0.5), 3, true);
    }

    @Test
    void tableLivesWhereLanceDbLooksAndHasTheDocumentedSchema() {
        try (VectorStore store =
                VectorStores.open("lance:" + dir.resolve("lancedb"), "image_search", 8)) {
            store.upsert(records(10, 8));
            Schema schema = ((LanceVectorStore) store).storedSchema();
            assertEquals(
                    List.of("id", "label", "image_bytes", "vector", "metadata"),
                    schema.getFields().stream().map(Field::getName).toList());
            assertEquals(ArrowType.Utf8.INSTANCE, schema.findField("id").getType());
            assertFalse(schema.findField("id").isNullable());
            assertEquals(new ArrowType.Int(32, true), schema.findField("label").getType());
            assertEquals(ArrowType.Binary.INSTANCE, schema.findField("image_bytes").getType());
            Field vector = schema.findField("vector");
            assertEquals(new ArrowType.FixedSizeList(8), vector.getType());
            assertEquals(
                    new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
                    vector.getChildren().get(0).getType());
            assertEquals(ArrowType.Utf8.INSTANCE, schema.findField("metadata").getType());
            assertTrue(
                    store.info().location().endsWith("image_search.lance"),
                    store.info().location());
        }
        Path table = dir.resolve("lancedb").resolve("image_search.lance");
        assertTrue(Files.isDirectory(table.resolve("_versions")));
        assertTrue(Files.isDirectory(table.resolve("data")));
    }

    @Test
    void metadataIsCanonicalJson() {
        assertEquals(
                "{\"a\":\"x\\\"y\",\"b\":\"\\\\\"}",
                MetadataJson.encode(Map.of("b", "\\", "a", "x\"y")));
        assertEquals(
                Map.of("a", "x\"y", "b", "\\", "c", "\n\u0001"),
                MetadataJson.decode(
                        MetadataJson.encode(Map.of("b", "\\", "a", "x\"y", "c", "\n\u0001"))));
        assertEquals(Map.of(), MetadataJson.decode("{}"));
        assertEquals(Map.of("k", "v"), MetadataJson.decode(" { \"k\" : \"v\" } "));
        assertThrows(IllegalStateException.class, () -> MetadataJson.decode("{\"k\":1}"));
    }

    @Test
    void openWithDimensionZeroNeedsAnExistingTable() {
        StoreNotFoundException e =
                assertThrows(
                        StoreNotFoundException.class,
                        () -> VectorStores.openExisting("lance:" + dir, "missing"));
        assertTrue(
                e.getMessage().contains("missing") && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void badUrisAndTableNamesAreClearErrors() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> VectorStores.open("lance:" + dir + "?nprobe=3", "t", 4));
        assertTrue(e.getMessage().contains("nprobe"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> VectorStores.open("lance:" + dir + "?nprobes=-1", "t", 4));
        assertThrows(
                IllegalArgumentException.class,
                () -> VectorStores.open("lance:" + dir, "../escape", 4));
        assertThrows(
                IllegalArgumentException.class, () -> VectorStores.open("lance://host:1", "t", 4));
        assertEquals(7, LanceOptions.from(StoreLocation.parse("lance:x?nprobes=7")).nprobes());
    }

    @Test
    void relativeUriResolvesAgainstTheWorkingDirectory() {
        Path cwd = Path.of("").toAbsolutePath();
        String rel = cwd.relativize(dir.resolve("rel")).toString();
        try (VectorStore store = VectorStores.open("lance:" + rel, "image_search", 4)) {
            assertEquals(
                    dir.resolve("rel").resolve("image_search.lance").toString(),
                    store.info().location());
        }
    }

    @Test
    void leftoversOfACrashedWriteAreRemovedAtTheNextOpen() throws IOException {
        Path db = dir.resolve("db");
        try (VectorStore store = VectorStores.open("lance:" + db, "image_search", 8)) {
            store.upsert(records(100, 8));
        }
        Path table = db.resolve("image_search.lance");
        // what an interrupted write leaves: a data file no manifest references (named as Lance
        // names them:
        // data/<24 bits><26 hex>.lance), and a transaction file
        Path orphanData =
                table.resolve("data")
                        .resolve("1010101010101010101010100123456789abcdef0123456789.lance");
        Files.write(orphanData, new byte[4096]);
        Path orphanTxn =
                table.resolve("_transactions")
                        .resolve("99-00000000-0000-0000-0000-000000000000.txn");
        Files.createDirectories(orphanTxn.getParent());
        Files.write(orphanTxn, new byte[16]);
        try (VectorStore store = VectorStores.open("lance:" + db, "image_search", 0)) {
            assertEquals(100, store.count());
            assertEquals("r3", store.get("r3").orElseThrow().id());
            // the first commit of the new session removes the leftovers
            store.upsert(records(120, 8));
            assertEquals(120, store.count());
            assertFalse(Files.exists(orphanData), "orphan data file still there");
            assertFalse(Files.exists(orphanTxn), "orphan transaction file still there");
            assertEquals(120, store.count());
            assertEquals(
                    records(120, 8).get(110).imageBytes().length,
                    store.get("r110").orElseThrow().imageBytes().length);
        }
        try (Stream<Path> files = Files.list(table.resolve("data"))) {
            assertTrue(files.findAny().isPresent());
        }
    }
}
