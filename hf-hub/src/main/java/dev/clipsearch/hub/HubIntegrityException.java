package dev.clipsearch.hub;

/** Thrown when the downloaded content does not match its expected size or sha256. */
public class HubIntegrityException extends HubException {

    /**
     * @param message what failed and what to do
     */
    public HubIntegrityException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public HubIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
