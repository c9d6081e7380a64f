package dev.clipsearch.store.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.StoreLocation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QdrantSettingsTest {

    private static QdrantSettings parse(String uri) {
        return QdrantSettings.parse(StoreLocation.parse(uri));
    }

    @Test
    void defaults() {
        QdrantSettings s = parse("qdrant://localhost");
        assertEquals("localhost", s.host());
        assertEquals(6334, s.port());
        assertNull(s.collection());
        assertNull(s.apiKey());
        assertFalse(s.tls());
        assertEquals(0, s.shards());
        assertEquals(0, s.replicas());
        assertEquals(Duration.ofSeconds(30), s.timeout());
        assertEquals(3, s.retries());
        assertTrue(s.storeImages());
        assertEquals("image_search", s.collectionFor("image_search"));
        assertEquals("localhost:6334", s.endpoint());
    }

    @Test
    void everyParameter() {
        QdrantSettings s =
                parse(
                        "qdrant://qdrant.example.com:16334/?collection=photos&apiKey=s3cr%26t&tls=true"
                                + "&shards=6&replicas=2&timeout_ms=1500&retries=5&store_images=false");
        assertEquals("qdrant.example.com", s.host());
        assertEquals(16334, s.port());
        assertEquals("photos", s.collection());
        assertEquals(
                "photos",
                s.collectionFor("image_search"),
                "collection parameter overrides the table name");
        assertEquals("s3cr&t", s.apiKey());
        assertTrue(s.tls());
        assertEquals(6, s.shards());
        assertEquals(2, s.replicas());
        assertEquals(Duration.ofMillis(1500), s.timeout());
        assertEquals(5, s.retries());
        assertFalse(s.storeImages());
    }

    @Test
    void ipv6Host() {
        QdrantSettings s = parse("qdrant://[::1]:7000");
        assertEquals("::1", s.host());
        assertEquals(7000, s.port());
        assertEquals("[::1]:7000", s.endpoint());
    }

    @Test
    void apiKeyNeverShows() {
        QdrantSettings s = parse("qdrant://h:1?apiKey=topsecret&collection=c");
        assertFalse(s.toString().contains("topsecret"), s.toString());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> parse("qdrant://h:1?apiKey=topsecret&shards=many"));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
        assertTrue(e.getMessage().contains("shards"), e.getMessage());
    }

    @Test
    void badUrisAreClearErrors() {
        assertMessage("qdrant:localhost:6334", "qdrant://HOST:PORT");
        assertMessage("qdrant://", "qdrant://HOST:PORT");
        assertMessage("qdrant://:6334", "no host");
        assertMessage("qdrant://localhost:grpc", "'grpc' is not a number");
        assertMessage("qdrant://localhost:70000", "out of range");
        assertMessage("qdrant://localhost:6334/images", "no path");
        assertMessage(
                "qdrant://localhost?colection=x", "Unknown Qdrant store URI parameter 'colection'");
        assertMessage("qdrant://localhost?collection=a/b", "Invalid Qdrant collection name 'a/b'");
        assertMessage("qdrant://localhost?replicas=-1", "replicas");
        assertMessage("qdrant://localhost?timeout_ms=0", "timeout_ms");
        assertMessage("qdrant://localhost?tls=maybe", "tls");
        assertMessage("lance:./x", "Not a Qdrant store URI");
    }

    private static void assertMessage(String uri, String expected) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> parse(uri), uri);
        assertTrue(e.getMessage().contains(expected), uri + " -> " + e.getMessage());
    }
}
