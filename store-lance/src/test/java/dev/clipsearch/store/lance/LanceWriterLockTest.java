package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.StoreException;
import dev.clipsearch.store.StoreLockedException;
import dev.clipsearch.store.VectorStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per Lance table, across stores of one JVM and across processes; readers never lock.
 */
class LanceWriterLockTest {

    @TempDir Path dir;

    private VectorStore open(int dimension) {
        return LanceVectorStore.builder(dir).table("shared").dimension(dimension).open();
    }

    private static List<ImageRecord> one(String id) {
        return List.of(new ImageRecord(id, 1, null, new float[] {1, 0, 0, 0}));
    }

    @Test
    void aSecondWriterInThisJvmFailsFastUntilTheFirstCloses() {
        VectorStore first = open(4);
        first.upsert(one("a"));
        try (VectorStore second = open(0)) {
            // reading needs no lock
            assertEquals(1, second.count());
            assertEquals("a", second.search(new float[] {1, 0, 0, 0}, 1).get(0).id());
            StoreLockedException e =
                    assertThrows(StoreLockedException.class, () -> second.upsert(one("b")));
            assertTrue(e.getMessage().contains("'shared'"), e.getMessage());
            assertTrue(
                    e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                    e.getMessage());
            assertTrue(e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
            assertTrue(e instanceof StoreException);
            assertThrows(StoreLockedException.class, () -> second.delete(List.of("a")));
            assertThrows(
                    StoreLockedException.class,
                    () -> second.createIndex(IndexOptions.of(IndexOptions.IndexType.NONE)));
            assertEquals(1, second.count(), "the refused writes wrote nothing");
            // the first writer keeps writing, from any thread
            first.upsert(one("c"));
        } finally {
            first.close();
        }
        try (VectorStore next = open(0)) {
            next.upsert(one("b"));
            assertEquals(3, next.count());
        }
    }

    @Test
    void readersNeverLockAndOneStoreWritesFromSeveralThreads() throws Exception {
        try (VectorStore reader = open(4)) {
            assertEquals(0, reader.count());
            try (VectorStore writer = open(0)) {
                writer.upsert(one("a"));
                Thread other = new Thread(() -> writer.upsert(one("b")));
                other.start();
                other.join();
                assertEquals(2, writer.count());
            }
        }
        try (VectorStore reader = open(0)) {
            assertEquals(2, reader.count());
        }
    }

    @Test
    void aWriterInAnotherProcessIsNamedByPidAndReleasedWhenItCloses() throws Exception {
        Process child = LanceChildMain.command(true, "write", dir).start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("WRITING "), String.valueOf(line));
            String pid = line.substring("WRITING ".length());
            assertEquals(String.valueOf(child.pid()), pid);
            try (VectorStore mine = open(0)) {
                assertEquals(1, mine.count());
                StoreLockedException e =
                        assertThrows(StoreLockedException.class, () -> mine.upsert(one("p")));
                assertTrue(e.getMessage().contains("another process, pid " + pid), e.getMessage());
                try (OutputStream in = child.getOutputStream()) {
                    in.write("done\n".getBytes(StandardCharsets.UTF_8));
                }
                assertEquals("CLOSED", out.readLine());
                assertTrue(child.waitFor(60, TimeUnit.SECONDS));
                mine.upsert(one("p"));
                assertEquals(2, mine.count());
            }
        } finally {
            child.destroyForcibly();
        }
    }
}
