package dev.clipsearch.dataset;

import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens image datasets: Hugging Face datasets stored as parquet (on the Hub, or a local directory
 * in the Hub's layout, or parquet files), and local image folders ({@code class_name/*.jpg}).
 *
 * <pre>{@code
 * HfDataset dataset = HfDatasets.load("zh-plus/tiny-imagenet");
 * try (RowCursor rows = dataset.split("valid").open()) {
 *     rows.forEachRemaining(row -> index(row.image(), dataset.labelNames().name(row.label())));
 * }
 * }</pre>
 */
public final class HfDatasets {

    private static final Pattern REPO_ID =
            Pattern.compile("([A-Za-z0-9_.\\-]+(?:/[A-Za-z0-9_.\\-]+)?)(?:@(.+))?");

    private HfDatasets() {}

    /**
     * Opens a dataset by local path or Hub repo id. An existing path is: a {@code .parquet} file
     * ({@link #fromParquet}); a directory with parquet files, read as a dataset repository in the
     * Hub's layout (card, data files); a directory with image files and no parquet, read as an
     * image folder ({@link #fromImageFolder}). Anything else is a Hub dataset repo id ({@code
     * org/name}, optionally {@code org/name@revision}), loaded with {@link HfHub#fromEnvironment()}
     * (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE, HF_HUB_OFFLINE ...).
     *
     * @throws DatasetException when the path or repository can't be read or holds no usable data
     */
    public static HfDataset load(String repoIdOrPath) {
        HfDataset local = loadLocal(repoIdOrPath);
        return local != null ? local : load(repoIdOrPath, HfHub.fromEnvironment());
    }

    /** The dataset at an existing local path, or null when {@code repoIdOrPath} names none. */
    private static HfDataset loadLocal(String repoIdOrPath) {
        Path path = localPath(repoIdOrPath);
        if (path != null && Files.exists(path)) {
            if (Files.isRegularFile(path)) {
                return fromParquet(path);
            }
            return isHubLayout(path)
                    ? ParquetDataset.fromRepo(new LocalRepoSource(path))
                    : fromImageFolder(path);
        }
        if (!REPO_ID.matcher(repoIdOrPath).matches()
                || repoIdOrPath.startsWith("/")
                || repoIdOrPath.startsWith(".")) {
            throw new DatasetException(
                    "'"
                            + repoIdOrPath
                            + "' is neither an existing file or directory nor a Hub"
                            + " dataset id like 'org/name'");
        }
        return null;
    }

    /**
     * Opens a local dataset (as {@link #load(String)}) when {@code repoId} names an existing file
     * or directory, else a dataset repository of the Hub ({@code org/name} or {@code
     * org/name@revision}) through {@code hub}. Only the card and the listing are fetched here; a
     * split's parquet files are downloaded (into the hub's cache) when the split's files or rows
     * are first needed.
     *
     * @throws DatasetException when the repository doesn't exist or holds no parquet data
     */
    public static HfDataset load(String repoId, HfHub hub) {
        HfDataset local = loadLocal(repoId);
        if (local != null) {
            return local;
        }
        Matcher m = REPO_ID.matcher(repoId);
        if (!m.matches()) {
            throw new DatasetException("'" + repoId + "' is not a Hub dataset id like 'org/name'");
        }
        HubRepo repo;
        try {
            repo = HubRepo.dataset(m.group(1));
            if (m.group(2) != null) {
                repo = repo.at(m.group(2));
            }
        } catch (IllegalArgumentException e) {
            throw new DatasetException(e.getMessage(), e);
        }
        return ParquetDataset.fromRepo(new HubRepoSource(hub, repo));
    }

    /**
     * Opens parquet data: one file (a single split, named by the file's shard name like {@code
     * valid-00000-of-00001.parquet}, else {@code train}), or a directory in the Hub's layout.
     *
     * @throws DatasetException when the path doesn't exist or holds no parquet files
     */
    public static HfDataset fromParquet(Path fileOrDir) {
        if (Files.isRegularFile(fileOrDir)) {
            return ParquetDataset.fromFile(fileOrDir.toAbsolutePath().normalize());
        }
        if (Files.isDirectory(fileOrDir)) {
            return ParquetDataset.fromRepo(new LocalRepoSource(fileOrDir));
        }
        throw new DatasetException("parquet file or directory " + fileOrDir + " does not exist");
    }

    /**
     * Opens a folder of images in class folders ({@code dir/class_name/*.jpg}, or {@code
     * dir/train/class_name/...} with split folders). Labels index the sorted class names, which are
     * the label names.
     *
     * @throws DatasetException when the directory doesn't exist
     */
    public static HfDataset fromImageFolder(Path dir) {
        return ImageFolderDataset.open(dir);
    }

    private static Path localPath(String s) {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /**
     * Whether a directory is read as a dataset repository: it has parquet files, or it has no image
     * files (then the repository's resolution reports what is missing); a directory with images and
     * no parquet is an image folder.
     */
    private static boolean isHubLayout(Path dir) {
        boolean images = false;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String relative = dir.relativize(p).toString().replace('\\', '/');
                if (!Files.isRegularFile(p) || RepoSource.isHidden(relative)) {
                    continue;
                }
                if (p.getFileName().toString().endsWith(".parquet")) {
                    return true;
                }
                images |= ImageFolderDataset.isImageFile(p);
            }
        } catch (IOException e) {
            throw new DatasetException("cannot list directory " + dir + ": " + e.getMessage(), e);
        }
        return !images;
    }
}
