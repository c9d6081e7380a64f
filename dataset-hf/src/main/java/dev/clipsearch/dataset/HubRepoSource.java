package dev.clipsearch.dataset;

import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubException;
import dev.clipsearch.hub.HubFile;
import dev.clipsearch.hub.HubNotFoundException;
import dev.clipsearch.hub.HubRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A dataset repository on the Hub: listed once, files downloaded into the hub's cache when fetched.
 */
final class HubRepoSource implements RepoSource {

    /** The revision where the Hub keeps its parquet conversion of a dataset. */
    static final String PARQUET_CONVERSION = "refs/convert/parquet";

    private final HfHub hub;
    private final HubRepo repo;
    private final boolean conversion;
    private HubRepo pinned;
    private List<String> files;

    HubRepoSource(HfHub hub, HubRepo repo) {
        this(hub, repo, false);
    }

    private HubRepoSource(HfHub hub, HubRepo repo, boolean conversion) {
        this.hub = hub;
        this.repo = repo;
        this.conversion = conversion;
    }

    @Override
    public String name() {
        return repo.id();
    }

    /**
     * The repository at the commit its revision points to now, resolved once: the listing and all
     * downloads then come from the same commit, so row indexes can't shift while a dataset is read.
     */
    private synchronized HubRepo pinned() {
        if (pinned == null) {
            pinned = repo.isCommitPinned() ? repo : repo.at(hub.resolveCommit(repo));
        }
        return pinned;
    }

    @Override
    public synchronized List<String> listFiles() {
        if (files == null) {
            try {
                files =
                        hub.listFiles(pinned(), "").stream()
                                .map(HubFile::path)
                                .filter(p -> !RepoSource.isHidden(p))
                                .sorted()
                                .toList();
            } catch (HubNotFoundException e) {
                if (!conversion) {
                    throw new DatasetException(
                            "dataset "
                                    + repo.id()
                                    + " at revision "
                                    + repo.revision()
                                    + " not found on the Hub: "
                                    + e.getMessage(),
                            e);
                }
                files = List.of(); // the dataset has no parquet conversion
            } catch (HubException e) {
                throw new DatasetException(
                        "cannot list the files of dataset "
                                + repo.id()
                                + " at revision "
                                + repo.revision()
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        return files;
    }

    @Override
    public Optional<String> readText(String path) {
        if (!listFiles().contains(path)) {
            return Optional.empty();
        }
        Path file = fetch(path);
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot read "
                            + file
                            + " ("
                            + path
                            + " of dataset "
                            + repo.id()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public Path fetch(String path) {
        try {
            return hub.download(pinned(), path);
        } catch (HubException e) {
            throw new DatasetException(
                    "cannot download "
                            + path
                            + " of dataset "
                            + repo.id()
                            + " at revision "
                            + repo.revision()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public Optional<RepoSource> parquetConversion() {
        return conversion
                ? Optional.empty()
                : Optional.of(new HubRepoSource(hub, repo.at(PARQUET_CONVERSION), true));
    }

    @Override
    public String toString() {
        return "dataset " + repo.id() + " at revision " + repo.revision();
    }
}
