package dev.clipsearch.store;

/**
 * Thrown when a table that must exist (opened with dimension 0) does not; open it with a vector
 * dimension to create it.
 */
public class StoreNotFoundException extends StoreException {

    /**
     * @param message what failed and what to do
     */
    public StoreNotFoundException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
