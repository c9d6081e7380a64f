package dev.clipsearch.store.lance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM without Arrow's --add-opens gets one clear error, before any Arrow class initialises. */
class LanceSetupTest {

    @TempDir Path dir;

    @Test
    void withoutAddOpensOpeningFailsWithOneLineNamingTheFlagAndWhereToPutIt() throws Exception {
        Process child = LanceChildMain.command(false, "open", dir.resolve("db")).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out =
                new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(3, child.exitValue(), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("ERROR dev.clipsearch.store.StoreSetupException: "), out);
        assertTrue(out.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), out);
        for (String where : new String[] {"java command line", "argLine", "exec", "Add-Opens"}) {
            assertTrue(out.contains(where), "names " + where + ": " + out);
        }
        assertFalse(out.contains("ExceptionInInitializerError"), out);
        assertFalse(Files.exists(dir.resolve("db").resolve("shared.lance")), "nothing created");
    }

    @Test
    void withAddOpensTheSameChildOpensTheTable() throws Exception {
        Process child = LanceChildMain.command(true, "open", dir.resolve("db")).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("OPENED 0"), out);
    }

    @Test
    void aNamedArrowModuleIsNamedInTheFlag() {
        String message = ArrowAccess.message(Object.class.getModule());
        assertTrue(
                message.contains("--add-opens=java.base/java.nio=java.base,ALL-UNNAMED"), message);
    }
}
