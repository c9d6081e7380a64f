package dev.clipsearch.hub;

/**
 * Base of all errors from {@link HfHub}. Messages name the repository, revision and file and say
 * what to do. Subclasses: {@link HubNotFoundException}, {@link HubAccessDeniedException}, {@link
 * HubOfflineException}, {@link HubIntegrityException}, {@link HubNetworkException}. Other failures
 * (local I/O such as a full disk) are reported with this class itself.
 */
public class HubException extends RuntimeException {

    /**
     * @param message what failed and what to do
     */
    public HubException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
