package dev.clipsearch.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A folder of images, one sub-folder per class ({@code dir/class_name/*.jpg}), like {@code
 * datasets}' imagefolder. Labels index the sorted class folder names. When the top-level folders
 * are split names holding class folders ({@code dir/train/cat/1.jpg}, {@code dir/valid/cat/2.jpg}),
 * each is a split and the labels come from the class folders of all splits; otherwise the folder is
 * the single split {@code train}. Images directly in a split folder get label -1. Rows are numbered
 * in a stable order: classes by name, then image paths by name.
 */
final class ImageFolderDataset extends AbstractHfDataset<ImageFolderSplit> {

    private static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff");

    private final LabelNames labelNames;

    private ImageFolderDataset(
            String name, Map<String, ImageFolderSplit> splits, LabelNames labelNames) {
        super("image folder", name, splits);
        this.labelNames = labelNames;
    }

    static ImageFolderDataset open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(
                    "image folder " + dir + " does not exist or is not a directory");
        }
        Path root = dir.toAbsolutePath().normalize();
        String name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        List<Path> splitDirs =
                subdirectories(root).stream()
                        .filter(
                                d ->
                                        DataFilePatterns.SPLIT_KEYWORDS.contains(
                                                d.getFileName().toString()))
                        .filter(d -> !subdirectories(d).isEmpty())
                        .sorted(
                                (a, b) ->
                                        DataFilePatterns.splitOrder()
                                                .compare(
                                                        a.getFileName().toString(),
                                                        b.getFileName().toString()))
                        .toList();
        Map<String, Path> splitRoots = new LinkedHashMap<>();
        if (splitDirs.isEmpty()) {
            splitRoots.put("train", root);
        } else {
            splitDirs.forEach(d -> splitRoots.put(d.getFileName().toString(), d));
        }
        TreeSet<String> classes = new TreeSet<>();
        for (Path splitRoot : splitRoots.values()) {
            subdirectories(splitRoot).forEach(c -> classes.add(c.getFileName().toString()));
        }
        List<String> classList = new ArrayList<>(classes);
        Map<String, ImageFolderSplit> splits = new LinkedHashMap<>();
        splitRoots.forEach(
                (split, splitRoot) ->
                        splits.put(split, new ImageFolderSplit(name, split, splitRoot, classList)));
        return new ImageFolderDataset(name, splits, LabelNames.of(classList));
    }

    /**
     * Whether a file name has an image extension (jpg, jpeg, png, gif, bmp, webp, tif, tiff; any
     * case).
     */
    static boolean isImageFile(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        return dot > 0
                && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The non-hidden sub-directories of {@code dir}, sorted by name. */
    static List<Path> subdirectories(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory)
                    .filter(p -> !RepoSource.isHidden(p.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list directory " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LabelNames labelNames() {
        return labelNames;
    }
}
