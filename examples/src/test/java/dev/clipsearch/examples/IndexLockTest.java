package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexLockTest {
    @TempDir Path tmp;

    @Test
    void oneRunAtATimePerLanceTable() {
        String uri = "lance:" + tmp.resolve("db");
        try (IndexLock first = IndexLock.acquire(uri, "image_search")) {
            assertThat(first).isNotNull();
            assertThatThrownBy(() -> IndexLock.acquire(uri, "image_search"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Another indexing run is writing table 'image_search'");
            try (IndexLock other = IndexLock.acquire(uri, "another_table")) {
                assertThat(other).isNotNull();
            }
        }
        try (IndexLock again = IndexLock.acquire(uri, "image_search")) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void otherStoresNeedNoLock() {
        assertThat(IndexLock.acquire("memory:x", "t")).isNull();
        assertThat(IndexLock.acquire("qdrant://localhost:6334", "t")).isNull();
    }
}
