package dev.clipsearch.store.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreLocation;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.StoreSchemaException;
import dev.clipsearch.store.VectorStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The typed entry point over the network (fake on 127.0.0.1), and the URI as a layer over it. */
class QdrantBuilderTest {

    private static final String KEY = "builder-key-4d5e6f";

    private static QdrantProtocolFake fake;

    @BeforeAll
    static void start() throws Exception {
        fake = QdrantProtocolFake.onLoopback(KEY);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        fake.close();
    }

    private static QdrantVectorStore.Builder builder() {
        return QdrantVectorStore.builder("127.0.0.1", fake.port())
                .apiKey(KEY)
                .timeout(Duration.ofSeconds(5));
    }

    @Test
    void builderOpensCreatesAndReopensACollection() {
        try (VectorStore store = builder().collection("typed").dimension(4).open()) {
            store.upsert(List.of(new ImageRecord("a", 1, null, new float[] {0, 1, 0, 0})));
            assertEquals("typed", store.tableName());
        }
        try (VectorStore store = builder().collection("typed").open()) {
            assertEquals(4, store.dimension());
            assertEquals(1, store.count());
            assertEquals("a", store.search(new float[] {0, 1, 0, 0}, 1).get(0).id());
        }
        try (VectorStore store = builder().dimension(4).open()) {
            assertEquals("image_search", store.tableName());
        }
    }

    @Test
    void typedErrors() {
        assertThrows(StoreNotFoundException.class, () -> builder().collection("nothing").open());
        builder().collection("d8").dimension(8).open().close();
        StoreSchemaException schema =
                assertThrows(
                        StoreSchemaException.class,
                        () -> builder().collection("d8").dimension(16).open());
        assertTrue(schema.getMessage().contains("d8"), schema.getMessage());
        StoreAccessDeniedException denied =
                assertThrows(
                        StoreAccessDeniedException.class,
                        () -> builder().apiKey("not-the-key").collection("x").dimension(4).open());
        assertFalse(denied.getMessage().contains("not-the-key"), denied.getMessage());
        assertTrue(denied.getMessage().contains("apiKey=***"), denied.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder().shards(-1));
        assertThrows(IllegalArgumentException.class, () -> builder().retries(21));
        assertThrows(IllegalArgumentException.class, () -> builder().timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder().collection("a/b"));
        assertThrows(IllegalArgumentException.class, () -> QdrantVectorStore.builder("h", 0));
        assertThrows(IllegalArgumentException.class, () -> QdrantVectorStore.builder(" ", 1));
    }

    @Test
    void theUriParsesIntoTheSameSettingsAsTheBuilder() {
        QdrantSettings typed =
                QdrantVectorStore.builder("qdrant.example.com", 16334)
                        .collection("photos")
                        .apiKey("s3cr&t")
                        .tls(true)
                        .shards(6)
                        .replicas(2)
                        .timeout(Duration.ofMillis(1500))
                        .retries(5)
                        .storeImages(false)
                        .settings();
        QdrantSettings parsed =
                QdrantSettings.parse(
                        StoreLocation.parse(
                                "qdrant://qdrant.example.com:16334/?collection=photos&apiKey=s3cr%26t"
                                        + "&tls=true&shards=6&replicas=2&timeout_ms=1500&retries=5"
                                        + "&store_images=false"));
        assertEquals(typed, parsed);
        assertFalse(typed.toString().contains("s3cr"), typed.toString());
        assertEquals(
                "qdrant://qdrant.example.com:16334?collection=photos&apiKey=***&tls=true&shards=6"
                        + "&replicas=2&timeout_ms=1500&retries=5&store_images=false",
                typed.uri());
        assertEquals(
                QdrantVectorStore.builder("localhost", 6334).settings(),
                QdrantSettings.parse(StoreLocation.parse("qdrant://localhost")));
    }
}
