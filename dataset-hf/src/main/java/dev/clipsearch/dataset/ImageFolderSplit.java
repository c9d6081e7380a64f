package dev.clipsearch.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One split of an image folder: the image files of its class folders, numbered in a stable order.
 */
final class ImageFolderSplit extends AbstractDatasetSplit {

    /** An image file and its label. */
    private record Entry(Path file, int label) {}

    private final Path root;
    private final List<String> classes;
    private List<Entry> entries;

    ImageFolderSplit(String dataset, String name, Path root, List<String> classes) {
        super(dataset, name);
        this.root = root;
        this.classes = classes;
    }

    private synchronized List<Entry> entries() {
        if (entries == null) {
            List<Entry> list = new ArrayList<>();
            imagesIn(root, false).forEach(file -> list.add(new Entry(file, -1)));
            for (Path classDir : ImageFolderDataset.subdirectories(root)) {
                int label = classes.indexOf(classDir.getFileName().toString());
                imagesIn(classDir, true).forEach(file -> list.add(new Entry(file, label)));
            }
            entries = List.copyOf(list);
        }
        return entries;
    }

    /** The image files of {@code dir} (and below it when {@code recursive}), sorted by path. */
    private static List<Path> imagesIn(Path dir, boolean recursive) {
        try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(ImageFolderDataset::isImageFile)
                    .filter(
                            p ->
                                    !RepoSource.isHidden(
                                            dir.relativize(p).toString().replace('\\', '/')))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot list image folder " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long size() {
        return entries().size();
    }

    @Override
    public List<Path> files() {
        return entries().stream().map(Entry::file).toList();
    }

    @Override
    RowCursor openAt(long startRow, BadRowListener listener) {
        List<Entry> all = entries();
        return new AbstractRowCursor(name(), listener) {
            private int next = (int) Math.min(startRow, all.size());

            @Override
            protected DatasetRow advance() {
                while (next < all.size()) {
                    int index = next++;
                    Entry entry = all.get(index);
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(entry.file());
                    } catch (IOException e) {
                        reject(index, "cannot read " + entry.file() + ": " + e);
                        continue;
                    }
                    String path = root.relativize(entry.file()).toString().replace('\\', '/');
                    DatasetRow row = accept(index, bytes, entry.label(), path);
                    if (row != null) {
                        return row;
                    }
                }
                return null;
            }

            @Override
            protected void release() {
                // nothing held between rows
            }
        };
    }
}
