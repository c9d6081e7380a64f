package dev.clipsearch.store;

/**
 * Base of the errors a {@link VectorStore} backend raises about the store itself (as opposed to a
 * bad argument, which is an {@link IllegalArgumentException}, or a closed store, which is an {@link
 * IllegalStateException}). Messages name the table or collection, where it lives (path or endpoint,
 * never a secret) and what to do. Subclasses:
 *
 * <ul>
 *   <li>{@link StoreUnavailableException}: the server cannot be reached, or does not answer in time
 *   <li>{@link StoreAccessDeniedException}: credentials missing or rejected, or no file permission
 *   <li>{@link StoreSchemaException}: the table exists with another dimension or layout
 *   <li>{@link StoreNotFoundException}: the table does not exist and no dimension was given to
 *       create it
 *   <li>{@link StoreLockedException}: another writer holds the table
 *   <li>{@link StoreSetupException}: the backend cannot run in this JVM (a missing JVM option)
 * </ul>
 *
 * Other failures (a full disk, an unexpected server error) are reported with this class itself.
 */
public class StoreException extends RuntimeException {

    /**
     * @param message what failed and what to do
     */
    public StoreException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
