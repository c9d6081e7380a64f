package dev.clipsearch.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.dataset.source.DatasetFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Reads a Hub image parquet file (by default the Tiny ImageNet validation split of the test
 * resources) with DuckDB, as {@link ParquetRowCursor} does, or with Arrow Dataset (the JNI parquet
 * reader that lance-core brings), and prints rows/s with the image bytes, first-row latency, the
 * process's peak resident memory and the size of the native library each loads. One reader per JVM
 * so that the memory figures do not mix:
 *
 * <pre>
 * java -cp ... --add-opens=java.base/java.nio=ALL-UNNAMED dev.clipsearch.dataset.ParquetReaderBench duckdb|arrow [file.parquet] [passes]
 * </pre>
 *
 * A bench, not a test: it asserts only that both readers see every row and the same bytes total.
 */
public final class ParquetReaderBench {

    private ParquetReaderBench() {}

    /** What a pass over the file saw. */
    record Pass(long rows, long imageBytes, long labelSum, double firstRowMs, double totalMs) {}

    /** Counts the rows of one pass as they come. */
    private static final class Tally {
        private final long start = System.nanoTime();
        private double firstRowMs = -1;
        private long rows;
        private long bytes;
        private long labels;

        /** Counts a row; returns its 0-based index in the pass. */
        long add(byte[] image, long label) {
            if (firstRowMs < 0) {
                firstRowMs = (System.nanoTime() - start) / 1e6;
            }
            bytes += image.length;
            labels += label;
            return rows++;
        }

        Pass pass() {
            return new Pass(rows, bytes, labels, firstRowMs, (System.nanoTime() - start) / 1e6);
        }
    }

    public static void main(String[] args) throws Exception {
        String reader = args.length > 0 ? args[0] : "duckdb";
        Path file;
        if (args.length > 1) {
            file = Path.of(args[1]);
        } else {
            Path dir = TestDatasets.tinyImagenetValid(Files.createTempDirectory("bench"));
            file = dir.resolve(TestDatasets.TINY_IMAGENET_VALID_FILE);
        }
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        for (int i = 0; i < passes; i++) {
            Pass pass = reader.equals("arrow") ? arrow(file) : duckdb(file);
            System.out.printf(
                    "%s pass %d: %d rows, %d image bytes, label sum %d, first row %.1f ms,"
                            + " %.0f rows/s%n",
                    reader,
                    i + 1,
                    pass.rows(),
                    pass.imageBytes(),
                    pass.labelSum(),
                    pass.firstRowMs(),
                    pass.rows() * 1000.0 / pass.totalMs());
        }
        System.out.printf(
                "%s: peak RSS %d MB, heap used %d MB%n",
                reader,
                peakRssKb() / 1024,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    }

    /** The query {@link ParquetRowCursor} runs: image bytes, path, label, file_row_number. */
    static Pass duckdb(Path file) throws SQLException {
        Tally tally = new Tally();
        try (Connection connection = DuckDb.connect()) {
            String sql =
                    "SELECT "
                            + ParquetRowCursor.projection(
                                    file, DuckDb.columns(connection, file), ParquetColumns.DEFAULT)
                            + ", file_row_number FROM read_parquet(["
                            + DuckDb.literal(file.toString())
                            + "], file_row_number = true)";
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery(sql)) {
                while (rs.next()) {
                    long row = tally.add(rs.getBytes(1), rs.getLong(3));
                    if (rs.getLong(4) != row) {
                        throw new IllegalStateException("row " + row + " out of order");
                    }
                }
            }
        }
        return tally.pass();
    }

    /** Arrow Dataset's scanner over the same columns, in file order (one file, no threads). */
    static Pass arrow(Path file) throws Exception {
        Tally tally = new Tally();
        ScanOptions options =
                new ScanOptions(/* batchSize */ 1024, Optional.of(new String[] {"image", "label"}));
        try (BufferAllocator allocator = new RootAllocator();
                DatasetFactory factory =
                        new FileSystemDatasetFactory(
                                allocator,
                                NativeMemoryPool.getDefault(),
                                FileFormat.PARQUET,
                                file.toUri().toString());
                Dataset dataset = factory.finish();
                Scanner scanner = dataset.newScan(options);
                ArrowReader reader = scanner.scanBatches()) {
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                StructVector image = (StructVector) root.getVector("image");
                VarBinaryVector imageBytes = image.getChild("bytes", VarBinaryVector.class);
                BigIntVector label = (BigIntVector) root.getVector("label");
                for (int i = 0; i < root.getRowCount(); i++) {
                    tally.add(imageBytes.get(i), label.isNull(i) ? -1 : label.get(i));
                }
            }
        }
        return tally.pass();
    }

    private static long peakRssKb() throws IOException {
        List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
        for (String line : status) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
