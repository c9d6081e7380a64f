package dev.clipsearch.hub;

/**
 * Thrown when the repository, the revision or the file does not exist (the Hub also answers
 * "repository not found" for private repositories when no valid token is sent). {@link #kind()}
 * tells which one is missing.
 */
public class HubNotFoundException extends HubException {

    /** What is missing. */
    public enum Kind {
        /** The repository (or it is private/gated without a valid token). */
        REPOSITORY,
        /** The branch, tag or commit. */
        REVISION,
        /** The file (or folder) in an existing repository and revision. */
        FILE,
        /** Not said by the server. */
        UNKNOWN
    }

    private final Kind kind;

    /**
     * Commit the server named in the 404 (X-Repo-Commit), if any; used to cache the file's
     * non-existence.
     */
    String commit;

    /**
     * @param message what failed and what to do
     */
    public HubNotFoundException(String message) {
        this(message, Kind.UNKNOWN);
    }

    /**
     * @param message what failed and what to do
     * @param kind what is missing
     */
    public HubNotFoundException(String message, Kind kind) {
        super(message);
        this.kind = kind == null ? Kind.UNKNOWN : kind;
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying error
     */
    public HubNotFoundException(String message, Throwable cause) {
        super(message, cause);
        this.kind = Kind.UNKNOWN;
    }

    /** What is missing: repository, revision or file. */
    public Kind kind() {
        return kind;
    }
}
