package dev.clipsearch.store;

/**
 * Thrown when another writer (another store instance, in this or another process) holds the table's
 * write lock; only one writer per table is allowed at a time.
 */
public class StoreLockedException extends StoreException {

    /**
     * @param message what failed and what to do
     */
    public StoreLockedException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreLockedException(String message, Throwable cause) {
        super(message, cause);
    }
}
