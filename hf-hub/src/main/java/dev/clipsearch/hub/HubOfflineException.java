package dev.clipsearch.hub;

/** Thrown when offline mode is on (HF_HUB_OFFLINE=1) and the file is not in the cache. */
public class HubOfflineException extends HubException {

    /**
     * @param message what failed and what to do
     */
    public HubOfflineException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public HubOfflineException(String message, Throwable cause) {
        super(message, cause);
    }
}
