package dev.clipsearch.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A dataset repository checked out (or downloaded) into a local directory. */
final class LocalRepoSource implements RepoSource {

    private final Path root;

    LocalRepoSource(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String name() {
        Path fileName = root.getFileName();
        return fileName == null ? root.toString() : fileName.toString();
    }

    @Override
    public List<String> listFiles() {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(
                            p ->
                                    root.relativize(p)
                                            .toString()
                                            .replace(root.getFileSystem().getSeparator(), "/"))
                    .filter(p -> !RepoSource.isHidden(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot list dataset directory " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> readText(String path) {
        Path file = root.resolve(path);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path fetch(String path) {
        return root.resolve(path);
    }

    @Override
    public Optional<RepoSource> parquetConversion() {
        return Optional.empty();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
