package dev.clipsearch.hub;

/**
 * Thrown when the Hub refused access (HTTP 401/403): missing, wrong or insufficient token
 * (HF_TOKEN).
 */
public class HubAccessDeniedException extends HubException {

    /**
     * @param message what failed and what to do
     */
    public HubAccessDeniedException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public HubAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
