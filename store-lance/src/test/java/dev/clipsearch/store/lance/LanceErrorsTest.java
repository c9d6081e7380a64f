package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lance and I/O failures become StoreExceptions that name the table path. */
class LanceErrorsTest {

    @TempDir Path dir;

    @Test
    void aDirectoryThatIsNotALanceTableIsAStoreErrorNamingIt() throws IOException {
        Path table = dir.resolve("broken.lance");
        Files.createDirectories(table.resolve("_versions"));
        Files.writeString(table.resolve("_versions").resolve("1.manifest"), "not a manifest");
        StoreException e =
                assertThrows(
                        StoreException.class,
                        () -> LanceVectorStore.builder(dir).table("broken").open());
        assertTrue(e.getMessage().contains(table.toString()), e.getMessage());
    }

    @Test
    void permissionProblemsAreAccessDenied() {
        Path where = dir.resolve("t.lance");
        assertInstanceOf(
                StoreAccessDeniedException.class,
                LanceErrors.io("open", where, new AccessDeniedException(where.toString())));
        StoreException denied =
                LanceErrors.lance(
                        "create Lance table 't'",
                        where,
                        new RuntimeException("LanceError(IO): Permission denied (os error 13)"));
        assertInstanceOf(StoreAccessDeniedException.class, denied);
        assertTrue(denied.getMessage().contains("read and write access"), denied.getMessage());
        StoreException other = LanceErrors.io("read", where, new IOException("Input/output error"));
        assertTrue(other.getMessage().contains(where.toString()), other.getMessage());
    }
}
