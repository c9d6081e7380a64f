package dev.clipsearch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreLocationTest {

    @Test
    void parsesSchemeTargetAndParams() {
        StoreLocation l =
                StoreLocation.parse("LANCE:./data/lancedb?index_threshold=50000&nprobes=20&flag");
        assertEquals("lance", l.scheme());
        assertEquals("./data/lancedb", l.target());
        assertEquals(Map.of("index_threshold", "50000", "nprobes", "20", "flag", ""), l.params());
        assertEquals(50000, l.longParam("index_threshold", 1));
        assertEquals(7, l.longParam("missing", 7));
        assertEquals(7, l.longParam("flag", 7));
        assertEquals("x", l.param("missing", "x"));
    }

    @Test
    void parsesHostUrlsAndDecodesValues() {
        StoreLocation l =
                StoreLocation.parse("qdrant://localhost:6334?collection=my%20images&tls=true");
        assertEquals("qdrant", l.scheme());
        assertEquals("//localhost:6334", l.target());
        assertEquals("my images", l.param("collection", null));
        assertTrue(l.booleanParam("tls", false));
        assertFalse(l.booleanParam("other", false));
    }

    @Test
    void rangedIntegerParamsAndUnknownParamsGiveClearErrors() {
        StoreLocation l =
                StoreLocation.parse("lance:./db?nprobes=-1&refine_factor=5&apiKey=s3cret");
        assertEquals(5, l.longParam("refine_factor", 0, 0, 10));
        assertEquals(3, l.longParam("absent", 3, 0, 10));
        IllegalArgumentException range =
                assertThrows(
                        IllegalArgumentException.class, () -> l.longParam("nprobes", 0, 0, 100));
        assertTrue(
                range.getMessage().contains("'nprobes' must be between 0 and 100, got -1"),
                range.getMessage());
        assertFalse(range.getMessage().contains("s3cret"), range.getMessage());

        l.requireKnownParams("lance", java.util.Set.of("nprobes", "refine_factor", "apiKey"));
        IllegalArgumentException unknown =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                l.requireKnownParams(
                                        "lance", java.util.Set.of("nprobes", "refine_factor")));
        assertTrue(
                unknown.getMessage().startsWith("Unknown lance store URI parameter 'apiKey'"),
                unknown.getMessage());
        assertTrue(
                unknown.getMessage().contains("(known: [nprobes, refine_factor])"),
                unknown.getMessage());
        assertFalse(unknown.getMessage().contains("s3cret"), unknown.getMessage());
    }

    @Test
    void memoryWithoutTarget() {
        StoreLocation l = StoreLocation.parse("memory:");
        assertEquals("memory", l.scheme());
        assertEquals("", l.target());
        assertTrue(l.params().isEmpty());
    }

    @Test
    void missingSchemeIsAClearError() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> StoreLocation.parse("./data/lancedb"));
        assertTrue(e.getMessage().contains("no scheme"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(":x"));
        assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse("1abc:x"));
        assertThrows(NullPointerException.class, () -> StoreLocation.parse(null));
    }

    @Test
    void badNumbersAndBooleansAreClearErrors() {
        StoreLocation l = StoreLocation.parse("lance:/db?nprobes=abc&apiKey=s3cret&tls=maybe");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> l.longParam("nprobes", 1));
        assertTrue(e.getMessage().contains("nprobes"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> l.booleanParam("tls", false));
    }

    @Test
    void redactsSecrets() {
        StoreLocation l =
                StoreLocation.parse(
                        "qdrant://h:6334?collection=c&apiKey=s3cret&token=t0k&password=pw");
        String r = l.redacted();
        assertFalse(r.contains("s3cret") || r.contains("t0k") || r.contains("pw"), r);
        assertTrue(r.contains("apiKey=***"), r);
        assertTrue(r.contains("collection=c"), r);
        assertEquals(r, l.toString());
    }

    @Test
    void unknownSchemeListsAvailableBackends() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> VectorStores.open("nosuch:/x", "t", 4));
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        assertTrue(e.getMessage().contains("memory"), e.getMessage());
    }

    @Test
    void memorySchemeIsRegistered() {
        assertEquals("memory", VectorStores.provider("MEMORY").scheme());
    }
}
