package dev.clipsearch.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paths of huggingface_hub's cache layout:
 *
 * <pre>
 * {cache}/models--org--name/blobs/{etag}
 * {cache}/models--org--name/snapshots/{commit}/{path}   (relative symlink to ../../blobs/{etag})
 * {cache}/models--org--name/refs/{revision}             (file containing the commit hash)
 * {cache}/.locks/models--org--name/{etag}.lock
 * </pre>
 */
final class CacheLayout {

    private static final Logger LOG = LoggerFactory.getLogger(CacheLayout.class);
    private static final Pattern COMMIT_HASH = Pattern.compile("^[0-9a-f]{40}$");

    private final Path root;

    /**
     * Whether snapshot pointers are symlinks; turns false (copies) after a symlink failed, like
     * huggingface_hub.
     */
    private volatile boolean symlinks;

    CacheLayout(Path root) {
        this(root, true);
    }

    CacheLayout(Path root, boolean symlinks) {
        this.root = root.toAbsolutePath().normalize();
        this.symlinks = symlinks;
    }

    static boolean isCommitHash(String revision) {
        return revision != null && COMMIT_HASH.matcher(revision).matches();
    }

    Path root() {
        return root;
    }

    /** {@code models--org--name}, as huggingface_hub's repo_folder_name. */
    static String repoFolderName(HubRepo repo) {
        return repo.type().plural() + "--" + repo.id().replace("/", "--");
    }

    Path storage(HubRepo repo) {
        return root.resolve(repoFolderName(repo));
    }

    Path blob(HubRepo repo, String etag) {
        return storage(repo).resolve("blobs").resolve(checkEtag(etag));
    }

    Path incomplete(HubRepo repo, String etag) {
        return storage(repo).resolve("blobs").resolve(checkEtag(etag) + ".incomplete");
    }

    Path lock(HubRepo repo, String etag) {
        return root.resolve(".locks")
                .resolve(repoFolderName(repo))
                .resolve(checkEtag(etag) + ".lock");
    }

    Path snapshotDir(HubRepo repo, String commit) {
        return storage(repo).resolve("snapshots").resolve(commit);
    }

    Path pointer(HubRepo repo, String commit, String path) {
        Path snapshot = snapshotDir(repo, commit);
        Path pointer = snapshot.resolve(path).normalize();
        if (!pointer.startsWith(snapshot) || pointer.equals(snapshot)) {
            throw new IllegalArgumentException(
                    "Invalid file path '" + path + "': it leaves the snapshot folder");
        }
        return pointer;
    }

    /** Marker {@code .no_exist/<commit>/<path>}: the file does not exist at that commit. */
    Path noExist(HubRepo repo, String commit, String path) {
        Path dir = storage(repo).resolve(".no_exist").resolve(commit);
        Path marker = dir.resolve(path).normalize();
        if (!marker.startsWith(dir) || marker.equals(dir)) {
            throw new IllegalArgumentException("Invalid file path '" + path + "'");
        }
        return marker;
    }

    Path ref(HubRepo repo, String revision) {
        Path refs = storage(repo).resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs)) {
            throw new IllegalArgumentException("Invalid revision '" + revision + "'");
        }
        return ref;
    }

    /**
     * The commit the revision points to in the cache: the revision itself if it is a commit hash,
     * otherwise the content of refs/{revision}; empty if unknown.
     */
    Optional<String> cachedCommit(HubRepo repo) {
        if (isCommitHash(repo.revision())) {
            return Optional.of(repo.revision());
        }
        Path ref = ref(repo, repo.revision());
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
        } catch (IOException e) {
            LOG.warn("Cannot read cache ref {}: {}", ref, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Writes refs/{revision} (no trailing newline, like huggingface_hub) when it changed; atomic
     * replace.
     */
    void writeRef(HubRepo repo, String commit) throws IOException {
        if (repo.revision().equals(commit)) {
            return;
        }
        Path ref = ref(repo, repo.revision());
        if (Files.isRegularFile(ref)) {
            try {
                if (Files.readString(ref, StandardCharsets.UTF_8).trim().equals(commit)) {
                    return;
                }
            } catch (IOException e) {
                // rewrite below
            }
        }
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            moveAtomically(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates the snapshot pointer as a relative symlink to the blob (like huggingface_hub's
     * _create_symlink); copies the blob when the file system does not support symlinks. An existing
     * pointer is replaced.
     */
    void link(Path blob, Path pointer) throws IOException {
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        Path tmp =
                pointer.resolveSibling(
                        pointer.getFileName()
                                + "."
                                + ProcessHandle.current().pid()
                                + "."
                                + Thread.currentThread().getId()
                                + ".tmp");
        Files.deleteIfExists(tmp);
        boolean linked = false;
        if (symlinks) {
            try {
                Files.createSymbolicLink(tmp, target);
                linked = true;
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                symlinks = false;
                LOG.warn(
                        "Symlinks are not supported in {} ({}); cached files are copied from blobs/ instead,"
                                + " which uses more disk space",
                        root,
                        e.toString());
            }
        }
        if (!linked) {
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            moveAtomically(tmp, pointer);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Whether the pointer exists and (if a symlink) resolves to an existing file. */
    static boolean isPresent(Path pointer) {
        return Files.isRegularFile(pointer);
    }

    private static String checkEtag(String etag) {
        if (etag == null
                || etag.isEmpty()
                || etag.contains("/")
                || etag.contains("\\")
                || etag.startsWith(".")) {
            throw new HubException(
                    "The Hub returned an unusable ETag '" + etag + "' (it names the cache blob)");
        }
        return etag;
    }
}
