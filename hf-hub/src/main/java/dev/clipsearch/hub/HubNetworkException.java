package dev.clipsearch.hub;

/**
 * Thrown when the Hub could not be reached or kept failing (network error, HTTP 5xx or 429) after
 * all retries.
 */
public class HubNetworkException extends HubException {

    /**
     * @param message what failed and what to do
     */
    public HubNetworkException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public HubNetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
