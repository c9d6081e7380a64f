package dev.clipsearch.store;

/**
 * Thrown when a table exists with another vector dimension, distance or column layout than
 * requested.
 */
public class StoreSchemaException extends StoreException {

    /**
     * @param message what failed and what to do
     */
    public StoreSchemaException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreSchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
