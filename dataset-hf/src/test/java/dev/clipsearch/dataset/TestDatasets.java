package dev.clipsearch.dataset;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Test fixtures for modules that read datasets (shipped in dataset-hf's test-jar): the real Tiny
 * ImageNet validation split in the Hub's layout, generated PNG images, and generated parquet
 * datasets in the Hub's layout (an {@code image} column {@code struct<bytes: binary, path: string>}
 * and an int64 {@code label}, like {@code datasets} writes them).
 */
public final class TestDatasets {

    /** Classpath folder of the tiny-imagenet copy (card and parquet). */
    public static final String TINY_IMAGENET_RESOURCES = "/tiny-imagenet/";

    /** The split file of tiny-imagenet, relative to the dataset directory. */
    public static final String TINY_IMAGENET_VALID_FILE = "data/valid-00000-of-00001.parquet";

    /** Rows of tiny-imagenet's valid split. */
    public static final int TINY_IMAGENET_VALID_ROWS = 10_000;

    private TestDatasets() {}

    /**
     * Copies the Tiny ImageNet validation split (README.md card with YAML,
     * data/valid-00000-of-00001.parquet: 10,000 64x64 JPEGs, 200 classes of 50) from the classpath
     * into {@code tempDir/tiny-imagenet}, a directory in the Hub's layout, and returns that
     * directory. Works from the test-jar too.
     */
    public static Path tinyImagenetValid(Path tempDir) {
        Path dir = tempDir.resolve("tiny-imagenet");
        copyResource(TINY_IMAGENET_RESOURCES + "README.md", dir.resolve("README.md"));
        copyResource(
                TINY_IMAGENET_RESOURCES + TINY_IMAGENET_VALID_FILE,
                dir.resolve(TINY_IMAGENET_VALID_FILE));
        return dir;
    }

    private static void copyResource(String resource, Path target) {
        try (InputStream in = TestDatasets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "test resource "
                                + resource
                                + " is not on the classpath"
                                + " (it ships in dataset-hf's test-jar)");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A PNG of {@code size x size} pixels showing class {@code label} as a background colour and
     * {@code variant} as a pattern of squares, so that every (label, variant) gives different
     * bytes.
     */
    public static byte[] png(int label, int variant, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.getHSBColor((label * 0.618034f) % 1f, 0.8f, 0.9f));
            g.fillRect(0, 0, size, size);
            g.setColor(Color.getHSBColor((variant * 0.381966f) % 1f, 0.5f, 0.4f));
            int cell = Math.max(1, size / 8);
            for (int bit = 0; bit < 16; bit++) {
                if ((variant >> bit & 1) == 1) {
                    g.fillRect((bit % 4) * 2 * cell, (bit / 4) * 2 * cell, cell, cell);
                }
            }
        } finally {
            g.dispose();
        }
        return encode(image, "png");
    }

    /** Encodes an image with ImageIO ("png", "jpeg", "bmp", "gif"). */
    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes a parquet file like {@code datasets} does for an image classification dataset: {@code
     * image} {@code struct<bytes: binary, path: string>} (path {@code img_<i>.png}) and {@code
     * label} int64. A null image or label is written as null.
     */
    public static Path writeImageParquet(Path file, List<byte[]> images, List<Integer> labels) {
        return writeImageParquet(file, images, labels, List.of());
    }

    /**
     * {@link #writeImageParquet(Path, List, List)} that also stores the class names in the file's
     * {@code huggingface} key-value metadata (as {@code datasets} does), when {@code classNames} is
     * not empty.
     */
    public static Path writeImageParquet(
            Path file, List<byte[]> images, List<Integer> labels, List<String> classNames) {
        if (images.size() != labels.size()) {
            throw new IllegalArgumentException(
                    images.size() + " images but " + labels.size() + " labels");
        }
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE rows (image STRUCT(bytes BLOB, path VARCHAR), label BIGINT)");
            try (PreparedStatement insert =
                    connection.prepareStatement(
                            "INSERT INTO rows VALUES (struct_pack(bytes := ?::BLOB, path := ?::VARCHAR), ?)")) {
                for (int i = 0; i < images.size(); i++) {
                    if (images.get(i) == null) {
                        insert.setNull(1, Types.BLOB);
                    } else {
                        insert.setBytes(1, images.get(i));
                    }
                    insert.setString(2, "img_" + i + ".png");
                    if (labels.get(i) == null) {
                        insert.setNull(3, Types.BIGINT);
                    } else {
                        insert.setLong(3, labels.get(i));
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            copyTo(statement, "SELECT * FROM rows", file, classNames);
            return file;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the result of a DuckDB query to a parquet file (for files with unusual schemas). */
    public static Path writeParquet(Path file, String query) {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            copyTo(statement, query, file, List.of());
            return file;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void copyTo(
            Statement statement, String query, Path file, List<String> classNames)
            throws SQLException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String metadata = "";
        if (!classNames.isEmpty()) {
            StringBuilder json =
                    new StringBuilder(
                            "{\"info\": {\"features\": {\"image\": {\"_type\": \"Image\"}, "
                                    + "\"label\": {\"names\": [");
            for (int i = 0; i < classNames.size(); i++) {
                json.append(i == 0 ? "" : ", ")
                        .append('"')
                        .append(classNames.get(i).replace("\"", "\\\""))
                        .append('"');
            }
            json.append("], \"_type\": \"ClassLabel\"}}}}");
            metadata = ", KV_METADATA {huggingface: '" + json.toString().replace("'", "''") + "'}";
        }
        statement.execute(
                "COPY ("
                        + query
                        + ") TO '"
                        + file.toString().replace("'", "''")
                        + "' (FORMAT parquet"
                        + metadata
                        + ")");
    }

    /**
     * Writes a dataset repository in the Hub's layout under {@code dir}: for each split, {@code
     * rowsPerSplit} generated PNGs (row i has label {@code i % classNames.size()}), in {@code
     * filesPerSplit} files {@code data/{split}-0000k-of-0000n.parquet}; and a README.md whose YAML
     * has {@code configs}/{@code data_files} and the class names in {@code dataset_info} (as a map
     * {"0": name, ...}). Returns {@code dir}.
     */
    public static Path writeHubDataset(
            Path dir,
            List<String> classNames,
            Map<String, Integer> rowsPerSplit,
            int filesPerSplit) {
        StringBuilder card =
                new StringBuilder(
                        "---\ndataset_info:\n  features:\n  - name: image\n    dtype: image\n"
                                + "  - name: label\n    dtype:\n      class_label:\n        names:\n");
        for (int i = 0; i < classNames.size(); i++) {
            card.append("          '")
                    .append(i)
                    .append("': '")
                    .append(classNames.get(i).replace("'", "''"))
                    .append("'\n");
        }
        card.append("configs:\n- config_name: default\n  data_files:\n");
        int split = 0;
        for (Map.Entry<String, Integer> entry : rowsPerSplit.entrySet()) {
            card.append("  - split: ")
                    .append(entry.getKey())
                    .append("\n    path: data/")
                    .append(entry.getKey())
                    .append("-*\n");
            int rows = entry.getValue();
            int start = 0;
            for (int f = 0; f < filesPerSplit; f++) {
                int end = (int) ((long) rows * (f + 1) / filesPerSplit);
                List<byte[]> images = new ArrayList<>();
                List<Integer> labels = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    labels.add(i % classNames.size());
                    images.add(png(i % classNames.size(), split * 100_000 + i, 16));
                }
                writeImageParquet(
                        dir.resolve(
                                String.format(
                                        "data/%s-%05d-of-%05d.parquet",
                                        entry.getKey(), f, filesPerSplit)),
                        images,
                        labels);
                start = end;
            }
            split++;
        }
        card.append("---\n\n# Generated test dataset\n");
        try {
            Files.writeString(dir.resolve("README.md"), card.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * {@link #writeHubDataset} with one split {@code train} of {@code rows} rows in {@code files}
     * files.
     */
    public static Path writeHubDataset(Path dir, List<String> classNames, int rows, int files) {
        Map<String, Integer> splits = new LinkedHashMap<>();
        splits.put("train", rows);
        return writeHubDataset(dir, classNames, splits, files);
    }

    /**
     * Writes an image folder {@code dir/class/img_<i>.png} with {@code perClass} generated PNGs per
     * class; returns {@code dir}.
     */
    public static Path writeImageFolder(Path dir, List<String> classNames, int perClass) {
        try {
            for (int c = 0; c < classNames.size(); c++) {
                Path classDir = Files.createDirectories(dir.resolve(classNames.get(c)));
                for (int i = 0; i < perClass; i++) {
                    Files.write(classDir.resolve(String.format("img_%03d.png", i)), png(c, i, 16));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
