package dev.clipsearch.store.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreUnavailableException;
import dev.clipsearch.store.TestVectors;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The full provider path (URI, ServiceLoader, Netty channel) against the fake on 127.0.0.1, and
 * failures.
 */
class QdrantConnectionTest {

    private static final String KEY = "right-key-1b2c3d";
    private static final String WRONG_KEY = "wrong-key-9z8y7x";

    private static QdrantProtocolFake fake;

    @BeforeAll
    static void start() throws Exception {
        fake = QdrantProtocolFake.onLoopback(KEY);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        fake.close();
    }

    private static String uri(String query) {
        return "qdrant://127.0.0.1:" + fake.port() + "?timeout_ms=5000&" + query;
    }

    @Test
    void providerIsFoundByScheme() {
        assertInstanceOf(QdrantVectorStoreProvider.class, VectorStores.provider("qdrant"));
    }

    @Test
    void endToEndOverTheNetworkWithTheRightKey() {
        List<ImageRecord> records =
                TestVectors.records(
                        "n", TestVectors.clustered(new Random(3), 300, 16, 4, 0.5), 3, true);
        try (VectorStore store =
                VectorStores.open(uri("collection=net&apiKey=" + KEY), "ignored", 16)) {
            store.upsert(records);
            assertEquals("net", store.tableName());
            var hits = store.search(SearchRequest.of(records.get(7).vector(), 5).withImageBytes());
            assertEquals("n7", hits.get(0).id());
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    records.get(7).imageBytes(), hits.get(0).imageBytes());
        }
        try (VectorStore again =
                VectorStores.openExisting(uri("collection=net&apiKey=" + KEY), "ignored")) {
            assertEquals(16, again.dimension());
            assertEquals(300, again.count());
            assertFalse(again.info().location().contains(KEY));
        }
    }

    @Test
    void wrongApiKeyIsAClearErrorWithoutTheKey() {
        StoreAccessDeniedException e =
                assertThrows(
                        StoreAccessDeniedException.class,
                        () -> VectorStores.open(uri("apiKey=" + WRONG_KEY), "t", 4));
        String all = stackTrace(e);
        assertTrue(e.getMessage().contains("rejected the API key"), e.getMessage());
        assertTrue(e.getMessage().contains("UNAUTHENTICATED"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:" + fake.port()), e.getMessage());
        assertTrue(e.getMessage().contains("apiKey=***"), e.getMessage());
        assertFalse(all.contains(WRONG_KEY), "the key leaked: " + all);
        assertFalse(all.contains(KEY), "the server's key leaked: " + all);
        assertFalse(fake.hasCollection("t"));

        StoreAccessDeniedException none =
                assertThrows(
                        StoreAccessDeniedException.class, () -> VectorStores.open(uri(""), "t", 4));
        assertTrue(none.getMessage().contains("without an API key"), none.getMessage());
    }

    @Test
    void unreachableServerNamesHostAndPort() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        StoreUnavailableException e =
                assertThrows(
                        StoreUnavailableException.class,
                        () ->
                                VectorStores.open(
                                        "qdrant://127.0.0.1:"
                                                + closedPort
                                                + "?timeout_ms=1000&retries=1&apiKey="
                                                + WRONG_KEY,
                                        "t",
                                        4));
        assertTrue(
                e.getMessage().contains("unreachable at 127.0.0.1:" + closedPort), e.getMessage());
        assertTrue(e.getMessage().contains("2 attempt"), e.getMessage());
        assertTrue(e.getMessage().contains("6334"), e.getMessage());
        assertFalse(stackTrace(e).contains(WRONG_KEY));
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
