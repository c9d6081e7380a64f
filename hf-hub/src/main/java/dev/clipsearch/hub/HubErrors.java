package dev.clipsearch.hub;

import java.io.IOException;

/** Maps HTTP failures to {@link HubException}s whose messages say what failed and what to do. */
final class HubErrors {

    private HubErrors() {}

    /** A failure worth retrying: network error, HTTP 5xx or 429. */
    static final class Retryable extends Exception {
        final long retryAfterMillis;
        final boolean progressed;

        Retryable(String message, Throwable cause, long retryAfterMillis, boolean progressed) {
            super(message, cause);
            this.retryAfterMillis = retryAfterMillis;
            this.progressed = progressed;
        }

        static Retryable network(IOException e, boolean progressed) {
            return new Retryable(e.toString(), e, -1, progressed);
        }
    }

    /** A local file-system failure (not retried): disk full, permissions. */
    static final class LocalIo extends RuntimeException {
        LocalIo(IOException cause) {
            super(cause);
        }

        IOException io() {
            return (IOException) getCause();
        }
    }

    static String what(HubRepo repo, String path) {
        return path == null || path.isEmpty()
                ? repo.describe()
                : "file '" + path + "' of " + repo.describe();
    }

    /**
     * Throws for a non-successful status: {@link Retryable} for 5xx/429, a {@link HubException}
     * subclass otherwise. Does nothing for 2xx/3xx.
     */
    static void check(HttpTransport.Response r, HubRepo repo, String path, boolean tokenSent)
            throws Retryable {
        int status = r.status;
        if (status < 400) {
            return;
        }
        String code = r.header("X-Error-Code");
        String serverMessage = r.header("X-Error-Message");
        String detail =
                " (HTTP "
                        + status
                        + (code != null ? ", " + code : "")
                        + (serverMessage != null ? ": " + sanitize(serverMessage) : "")
                        + ")";
        String what = what(repo, path);
        if (status == 429 || status >= 500) {
            long retryAfter = parseRetryAfter(r.header("Retry-After"));
            throw new Retryable(
                    "server answered HTTP " + status + " for " + what, null, retryAfter, false);
        }
        String tokenHint =
                tokenSent
                        ? " The token in use (HF_TOKEN) was sent but does not grant access: check it is valid, has read"
                                + " access to this repository, and that you accepted the repository's terms on the Hub if"
                                + " it is gated."
                        : " No token was sent: if the repository is private or gated, create a read token at"
                                + " https://huggingface.co/settings/tokens and set HF_TOKEN (or pass it with"
                                + " HfHub.builder().token(...)).";
        if ("RepoNotFound".equals(code)) {
            throw new HubNotFoundException(
                    "Repository not found: "
                            + repo.type().singular()
                            + " '"
                            + repo.id()
                            + "' (wanted "
                            + what
                            + ")"
                            + detail
                            + ". Check the repository id and type (model vs dataset)."
                            + ((status == 401 || status == 403) ? tokenHint : ""),
                    HubNotFoundException.Kind.REPOSITORY);
        }
        if ("RevisionNotFound".equals(code)) {
            throw new HubNotFoundException(
                    "Revision '"
                            + repo.revision()
                            + "' not found in "
                            + repo.type().singular()
                            + " '"
                            + repo.id()
                            + "' (wanted "
                            + what
                            + ")"
                            + detail
                            + ". Check the branch, tag or commit hash.",
                    HubNotFoundException.Kind.REVISION);
        }
        if ("EntryNotFound".equals(code)
                || (status == 404 && path != null && !path.isEmpty() && code == null)) {
            HubNotFoundException e =
                    new HubNotFoundException(
                            "File '"
                                    + path
                                    + "' not found in "
                                    + repo.describe()
                                    + detail
                                    + ". Check the file name (see listFiles) and the revision.",
                            HubNotFoundException.Kind.FILE);
            String commit = r.header("X-Repo-Commit");
            e.commit =
                    commit != null && CacheLayout.isCommitHash(commit.trim())
                            ? commit.trim()
                            : null;
            throw e;
        }
        if (status == 401 || status == 403 || "GatedRepo".equals(code)) {
            throw new HubAccessDeniedException(
                    "Access denied to " + what + detail + "." + tokenHint);
        }
        if (status == 404) {
            throw new HubNotFoundException("Not found: " + what + detail + ".");
        }
        throw new HubException("The Hub rejected the request for " + what + detail + ".");
    }

    /**
     * Whether a failed metadata request may fall back to a cached copy, like huggingface_hub: yes
     * for network errors, 5xx, 401/403 and "repository not found"; no when the revision or the file
     * is known to be missing.
     */
    static boolean cacheMayAnswer(HubException e) {
        if (e instanceof HubNotFoundException nf) {
            return nf.kind() == HubNotFoundException.Kind.REPOSITORY;
        }
        return e instanceof HubNetworkException || e instanceof HubAccessDeniedException;
    }

    /** Removes control characters and limits length of a server-provided message. */
    private static String sanitize(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", " ").trim();
        return clean.length() > 300 ? clean.substring(0, 300) + "..." : clean;
    }

    private static long parseRetryAfter(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim())) * 1000L;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static HubException localIo(
            IOException e, HubRepo repo, String path, java.nio.file.Path cacheDir) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left") || msg.contains("Disk quota exceeded")) {
            return new HubException(
                    "No space left on the disk while writing "
                            + what(repo, path)
                            + " into the cache "
                            + cacheDir
                            + ". Free some disk space or point HF_HUB_CACHE (or HfHub.builder().cacheDir) at a"
                            + " disk with more room; the partial download is kept and will be resumed.",
                    e);
        }
        return new HubException(
                "Cannot write "
                        + what(repo, path)
                        + " into the cache "
                        + cacheDir
                        + ": "
                        + e
                        + ". Check the folder's permissions and free space.",
                e);
    }
}
