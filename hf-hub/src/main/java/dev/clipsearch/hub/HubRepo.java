package dev.clipsearch.hub;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository on the Hugging Face Hub at a revision (branch, tag, commit hash or ref such as
 * {@code refs/convert/parquet}).
 *
 * @param type model or dataset
 * @param id repository id, {@code name} or {@code org/name} (letters, digits, '-', '_', '.')
 * @param revision branch, tag or commit hash; {@code null} means {@value #DEFAULT_REVISION}
 */
public record HubRepo(RepoType type, String id, String revision) {

    /** Revision used when none is given. */
    public static final String DEFAULT_REVISION = "main";

    private static final Pattern ID_PATTERN =
            Pattern.compile("^([A-Za-z0-9_.\\-]+/)?[A-Za-z0-9_.\\-]+$");
    private static final int MAX_ID_LENGTH = 96;

    /** Validates the id (same rules as huggingface_hub's validate_repo_id) and the revision. */
    public HubRepo {
        Objects.requireNonNull(type, "repository type must not be null");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(
                    "Repository id must not be empty; expected 'org/name', e.g. 'openai/clip-vit-base-patch32'");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(
                    "Invalid repository id '"
                            + id
                            + "': longer than "
                            + MAX_ID_LENGTH
                            + " characters");
        }
        if (!ID_PATTERN.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "Invalid repository id '"
                            + id
                            + "': expected 'name' or 'org/name' using only letters, digits, '-', '_' and '.'"
                            + " (e.g. 'openai/clip-vit-base-patch32')");
        }
        if (id.contains("--") || id.contains("..")) {
            throw new IllegalArgumentException(
                    "Invalid repository id '" + id + "': '--' and '..' are not allowed");
        }
        for (String part : id.split("/")) {
            if (part.startsWith("-")
                    || part.startsWith(".")
                    || part.endsWith("-")
                    || part.endsWith(".")) {
                throw new IllegalArgumentException(
                        "Invalid repository id '"
                                + id
                                + "': a name part must not start or end with '-' or '.'");
            }
        }
        if (id.endsWith(".git")) {
            throw new IllegalArgumentException(
                    "Invalid repository id '" + id + "': must not end with '.git'");
        }
        if (revision == null) {
            revision = DEFAULT_REVISION;
        }
        validateRevision(revision);
    }

    /** A model repository at revision {@value #DEFAULT_REVISION}. */
    public static HubRepo model(String id) {
        return new HubRepo(RepoType.MODEL, id, DEFAULT_REVISION);
    }

    /** A dataset repository at revision {@value #DEFAULT_REVISION}. */
    public static HubRepo dataset(String id) {
        return new HubRepo(RepoType.DATASET, id, DEFAULT_REVISION);
    }

    /** The same repository at another revision (branch, tag, commit hash or ref). */
    public HubRepo at(String revision) {
        return new HubRepo(type, id, revision);
    }

    /** Whether the revision is a full 40-character lowercase commit hash. */
    public boolean isCommitPinned() {
        return CacheLayout.isCommitHash(revision);
    }

    /**
     * Human-readable description for messages, e.g. {@code model 'org/name' at revision 'main'}.
     */
    String describe() {
        return type.singular() + " '" + id + "' at revision '" + revision + "'";
    }

    private static void validateRevision(String revision) {
        if (revision.isBlank()) {
            throw new IllegalArgumentException(
                    "Revision must not be empty (use 'main', a tag, or a commit hash)");
        }
        for (String part : revision.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(
                        "Invalid revision '"
                                + revision
                                + "': empty, '.' or '..' path segments are not allowed");
            }
        }
        for (int i = 0; i < revision.length(); i++) {
            char c = revision.charAt(i);
            if (c < 0x20 || c == '\\' || c == 0x7f) {
                throw new IllegalArgumentException(
                        "Invalid revision '"
                                + revision
                                + "': contains a control character or '\\'");
            }
        }
    }
}
