package dev.clipsearch.store;

/**
 * Thrown when the store refused access: API key missing or rejected, or no permission on the
 * table's files.
 */
public class StoreAccessDeniedException extends StoreException {

    /**
     * @param message what failed and what to do
     */
    public StoreAccessDeniedException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
