package dev.clipsearch.search;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubRepo;
import dev.clipsearch.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model made a table: recorded in the table metadata when indexing, checked before searching,
 * evaluating or indexing more, so that vectors of two models are never compared.
 *
 * <p>Two models are the same when their weight fingerprints are equal (when both are known), else
 * when their names are; and the dimensions must agree. The precision (FP32, BF16) is recorded but
 * is no mismatch: the same weights in bf16 give embeddings within cosine 0.999 of float32.
 *
 * @param name the repo id ({@code openai/clip-vit-base-patch32}) or the model directory's name
 * @param revision the Hub snapshot (commit) the weights come from, or null (a local directory)
 * @param fingerprint {@code sha256:<hex>} of the {@code model.safetensors} header, its size and 16
 *     evenly spaced 4 KiB blocks of its data (cheap: about 70 KiB read whatever the size), or null
 *     when the file was not found
 * @param dimension the embedding dimension
 * @param precision the precision(s) the table's vectors were computed in ({@code FP32}, {@code
 *     BF16}, or {@code BF16,FP32} when both were used)
 */
public record ModelProvenance(
        String name, String revision, String fingerprint, int dimension, String precision) {
    private static final Logger LOG = LoggerFactory.getLogger(ModelProvenance.class);

    /** Table metadata key of the model name. */
    public static final String NAME_KEY = "model.name";

    /** Table metadata key of the model revision. */
    public static final String REVISION_KEY = "model.revision";

    /** Table metadata key of the weights' fingerprint. */
    public static final String FINGERPRINT_KEY = "model.fingerprint";

    /** Table metadata key of the dimension. */
    public static final String DIMENSION_KEY = "model.dimension";

    /** Table metadata key of the precision(s). */
    public static final String PRECISION_KEY = "model.precision";

    private static final int SAMPLES = 16;
    private static final int BLOCK = 4096;
    private static final long MAX_HEADER = 100L << 20;

    /** Checks the name and precision. */
    public ModelProvenance {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(precision, "precision");
    }

    /**
     * The provenance of a model loaded from {@code repoIdOrDirectory} (as given to {@link
     * dev.clipsearch.core.ClipModels#fromPretrained}): a directory is named by its file name, a
     * repo id by itself with the cached snapshot's revision ({@code hub} null: {@link
     * HfHub#fromEnvironment()}).
     */
    public static ModelProvenance of(String repoIdOrDirectory, HfHub hub, ClipModel model) {
        Path dir = asDirectory(repoIdOrDirectory);
        if (dir != null) {
            return of(dir, model);
        }
        if (hub == null) {
            hub = HfHub.fromEnvironment();
        }
        Path weights = null;
        String revision = null;
        try {
            Optional<Path> cached =
                    hub.cached(HubRepo.model(repoIdOrDirectory), "model.safetensors");
            if (cached.isPresent()) {
                weights = cached.get();
                revision = weights.getParent().getFileName().toString();
            }
        } catch (RuntimeException e) {
            LOG.debug("No cached weights of {}: {}", repoIdOrDirectory, e.toString());
        }
        return new ModelProvenance(
                repoIdOrDirectory,
                revision,
                weights == null ? null : fingerprint(weights),
                model.dimension(),
                model.precision().name());
    }

    /** The provenance of a model loaded from a local directory. */
    public static ModelProvenance of(Path modelDir, ClipModel model) {
        Path abs = modelDir.toAbsolutePath().normalize();
        Path weights = abs.resolve("model.safetensors");
        return new ModelProvenance(
                abs.getFileName() == null ? abs.toString() : abs.getFileName().toString(),
                null,
                Files.isRegularFile(weights) ? fingerprint(weights) : null,
                model.dimension(),
                model.precision().name());
    }

    /** The provenance recorded in a table's metadata; empty for a table without one. */
    public static Optional<ModelProvenance> ofTable(Map<String, String> tableMetadata) {
        String name = tableMetadata.get(NAME_KEY);
        if (name == null) {
            return Optional.empty();
        }
        int dimension;
        try {
            dimension = Integer.parseInt(tableMetadata.getOrDefault(DIMENSION_KEY, "0"));
        } catch (NumberFormatException e) {
            dimension = 0;
        }
        return Optional.of(
                new ModelProvenance(
                        name,
                        tableMetadata.get(REVISION_KEY),
                        tableMetadata.get(FINGERPRINT_KEY),
                        dimension,
                        tableMetadata.getOrDefault(PRECISION_KEY, "unknown")));
    }

    /** The table metadata entries of this provenance. */
    public Map<String, String> toTableMetadata() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(NAME_KEY, name);
        if (revision != null) {
            out.put(REVISION_KEY, revision);
        }
        if (fingerprint != null) {
            out.put(FINGERPRINT_KEY, fingerprint);
        }
        out.put(DIMENSION_KEY, Integer.toString(dimension));
        out.put(PRECISION_KEY, precision);
        return out;
    }

    /** Whether both name the same weights (precision aside): see the class comment. */
    public boolean sameModel(ModelProvenance other) {
        if (dimension != 0 && other.dimension != 0 && dimension != other.dimension) {
            return false;
        }
        if (fingerprint != null && other.fingerprint != null) {
            return fingerprint.equals(other.fingerprint);
        }
        return name.equals(other.name);
    }

    /** One line: name, revision, dimension, precision and a short fingerprint. */
    public String describe() {
        StringBuilder sb = new StringBuilder(name);
        if (revision != null) {
            sb.append('@').append(revision, 0, Math.min(12, revision.length()));
        }
        sb.append(" (").append(dimension).append("-d, ").append(precision);
        if (fingerprint != null) {
            sb.append(", weights ")
                    .append(
                            fingerprint,
                            0,
                            Math.min("sha256:".length() + 12, fingerprint.length()));
        }
        return sb.append(')').toString();
    }

    /**
     * Refuses a model that did not make the table (unless {@code allowMismatch}); a table without
     * provenance (written before it was recorded) is accepted with a one-line note, an empty one
     * silently.
     *
     * @param action what the caller is about to do ("search", "index into")
     * @throws ModelMismatchException when another model made the table and mismatches are not
     *     allowed
     */
    public void checkTable(VectorStore store, boolean allowMismatch, String action) {
        Optional<ModelProvenance> recorded = ofTable(store.tableMetadata());
        if (recorded.isEmpty()) {
            if (store.count() == 0) {
                return; // a new table: nothing to check, indexing records this model
            }
            LOG.info(
                    "Table '{}' does not record which model made it (written before model"
                            + " provenance); cannot check that {} is that model",
                    store.tableName(),
                    name);
            return;
        }
        ModelProvenance table = recorded.get();
        if (!sameModel(table)) {
            String message =
                    "Table '"
                            + store.tableName()
                            + "' was made by model "
                            + table.describe()
                            + ", not by "
                            + describe()
                            + ": its vectors are not comparable with this model's. Use "
                            + table.name()
                            + " to "
                            + action
                            + " it, use another table, or allow the mismatch"
                            + " (ImageIndexer.Options.allowModelMismatch(true),"
                            + " ImageSearch.open(..., true))";
            if (!allowMismatch) {
                throw new ModelMismatchException(message, table, this);
            }
            LOG.warn("{} (allowed)", message);
        } else if (!table.precision().contains(precision)) {
            LOG.info(
                    "Table '{}' was made with {} precision, this model runs in {}: the same"
                            + " weights, so no mismatch (cosine between the two above 0.999)",
                    store.tableName(),
                    table.precision(),
                    precision);
        }
    }

    /**
     * Records this model as the table's maker when the table has none; adds this precision to the
     * recorded ones when the same weights ran in another precision. A mismatching model (allowed by
     * the caller) leaves the record as it is.
     */
    public void recordIn(VectorStore store) {
        Map<String, String> meta = store.tableMetadata();
        Optional<ModelProvenance> recorded = ofTable(meta);
        if (recorded.isEmpty()) {
            store.putTableMetadata(toTableMetadata());
        } else if (recorded.get().sameModel(this)
                && !recorded.get().precision().contains(precision)) {
            Set<String> both = new TreeSet<>(Set.of(recorded.get().precision().split(",")));
            both.add(precision);
            store.putTableMetadata(Map.of(PRECISION_KEY, String.join(",", both)));
        }
    }

    /** {@code sha256:<hex>} of the safetensors header, the size and 16 sampled 4 KiB blocks. */
    static String fingerprint(Path safetensors) {
        try (FileChannel ch = FileChannel.open(safetensors, StandardOpenOption.READ)) {
            long size = ch.size();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Long.toString(size).getBytes(StandardCharsets.US_ASCII));
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength < 0 || headerLength > Math.min(MAX_HEADER, size - 8)) {
                throw new IllegalArgumentException(
                        "Not a safetensors file (header length "
                                + headerLength
                                + " of a "
                                + size
                                + "-byte file): "
                                + safetensors);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            sha.update(header.flip());
            long dataStart = 8 + headerLength;
            long data = size - dataStart;
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (int i = 0; i < SAMPLES && data > 0; i++) {
                long offset = dataStart + (data <= BLOCK ? 0 : (data - BLOCK) * i / (SAMPLES - 1));
                block.clear().limit((int) Math.min(BLOCK, data));
                readFully(ch, block, offset);
                sha.update(block.flip());
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read model weights " + safetensors, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position)
            throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static Path asDirectory(String name) {
        try {
            Path p = Path.of(name);
            return Files.isDirectory(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
