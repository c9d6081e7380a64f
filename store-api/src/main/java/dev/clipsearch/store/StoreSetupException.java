package dev.clipsearch.store;

/**
 * Thrown when the backend cannot run in this JVM, for example because a required JVM option is
 * missing; the message names the option and where to put it.
 */
public class StoreSetupException extends StoreException {

    /**
     * @param message what failed and what to do
     */
    public StoreSetupException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
