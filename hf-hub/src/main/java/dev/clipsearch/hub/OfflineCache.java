package dev.clipsearch.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cache can answer without the network: listing a cached snapshot, remembering files the
 * Hub said do not exist ({@code .no_exist/}, like huggingface_hub), and the error for a file that
 * offline mode cannot find.
 */
final class OfflineCache {

    private static final Logger LOG = LoggerFactory.getLogger(OfflineCache.class);

    private final CacheLayout layout;

    OfflineCache(CacheLayout layout) {
        this.layout = layout;
    }

    List<HubFile> listCached(HubRepo repo, String prefix) {
        String commit =
                layout.cachedCommit(repo)
                        .orElseThrow(
                                () ->
                                        new HubOfflineException(
                                                "Offline mode is on"
                                                        + " (HF_HUB_OFFLINE=1) and "
                                                        + repo.describe()
                                                        + " is not in the cache "
                                                        + layout.root()
                                                        + ". Download it once while online."));
        Path snapshot = layout.snapshotDir(repo, commit);
        Path base = prefix.isEmpty() ? snapshot : layout.pointer(repo, commit, prefix);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        List<HubFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                String rel = snapshot.relativize(p).toString().replace('\\', '/');
                String etag =
                        Files.isSymbolicLink(p)
                                ? Files.readSymbolicLink(p).getFileName().toString()
                                : null;
                String sha = BlobDownloader.isSha256(etag) ? etag : null;
                files.add(new HubFile(rel, Files.size(p), sha == null ? etag : null, sha));
            }
        } catch (IOException e) {
            throw new HubException("Cannot list the cached snapshot " + base + ": " + e, e);
        }
        files.sort((a, b) -> a.path().compareTo(b.path()));
        return List.copyOf(files);
    }

    /**
     * Records that the file does not exist at the commit the 404 named ({@code
     * .no_exist/<commit>/<path>}, like huggingface_hub), so offline look-ups can tell "missing in
     * the repo" from "not downloaded".
     */
    void rememberMissing(HubRepo repo, String path, HubNotFoundException e) {
        String commit = e.commit;
        if (commit == null) {
            return;
        }
        try {
            Path marker = layout.noExist(repo, commit, path);
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            layout.writeRef(repo, commit);
        } catch (IOException | RuntimeException ex) {
            LOG.debug(
                    "Could not cache the non-existence of {}: {}",
                    HubErrors.what(repo, path),
                    ex.toString());
        }
    }

    HubException offlineMiss(HubRepo repo, String path) {
        Optional<String> known = layout.cachedCommit(repo);
        if (known.isPresent() && Files.exists(layout.noExist(repo, known.get(), path))) {
            return new HubNotFoundException(
                    "File '"
                            + path
                            + "' does not exist in "
                            + repo.describe()
                            + " (commit "
                            + known.get()
                            + ", remembered in the cache; offline mode is on).",
                    HubNotFoundException.Kind.FILE);
        }
        boolean refKnown = known.isPresent();
        return new HubOfflineException(
                "Offline mode is on (HF_HUB_OFFLINE=1) and "
                        + HubErrors.what(repo, path)
                        + " is not in the cache "
                        + layout.root()
                        + (refKnown ? "" : " (the revision itself is not cached)")
                        + ". Download it once while online (unset HF_HUB_OFFLINE), or copy the cache from a machine that"
                        + " has it.");
    }
}
