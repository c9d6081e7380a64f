package dev.clipsearch.store;

/**
 * Thrown when the store cannot be reached: server down or unreachable, wrong port, no answer within
 * the deadline (after retries).
 */
public class StoreUnavailableException extends StoreException {

    /**
     * @param message what failed and what to do
     */
    public StoreUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
