package dev.clipsearch.store.lance;

import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Locale;

/** Turns I/O and Lance (native) failures into {@link StoreException}s that name the table path. */
final class LanceErrors {

    private LanceErrors() {}

    /** A Java I/O failure while doing {@code what} at {@code path}. */
    static StoreException io(String what, Path path, IOException e) {
        if (e instanceof AccessDeniedException) {
            return denied(what, path, e);
        }
        return new StoreException(
                "Cannot " + what + " at " + path + ": " + e + " (check the disk and the path)", e);
    }

    /**
     * A failure raised by Lance while doing {@code what} at {@code path}. Lance's native layer also
     * throws undeclared checked {@link IOException}s (a corrupt manifest, a failed write).
     */
    static StoreException lance(String what, Path path, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String text = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (text.contains("permission denied") || text.contains("access denied")) {
            return denied(what, path, e);
        }
        return new StoreException(
                "Cannot "
                        + what
                        + " at "
                        + path
                        + ": "
                        + e.getMessage()
                        + " (is it a Lance table written by a compatible LanceDB/Lance version?)",
                e);
    }

    /**
     * For a write: a checked (undeclared) exception from Lance becomes a {@link StoreException};
     * unchecked ones (argument checks, a closed store) pass unchanged.
     */
    static RuntimeException ofWrite(String what, Path path, Exception e) {
        return e instanceof RuntimeException re ? re : lance(what, path, e);
    }

    private static StoreAccessDeniedException denied(String what, Path path, Exception e) {
        return new StoreAccessDeniedException(
                "Cannot "
                        + what
                        + " at "
                        + path
                        + ": permission denied ("
                        + e.getMessage()
                        + "). Give this user read and write access to the directory, or use"
                        + " another database directory",
                e);
    }
}
