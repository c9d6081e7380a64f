package dev.clipsearch.store.lance;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.TableInfo;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.lance.Dataset;
import org.lance.Session;
import org.lance.WriteParams;
import org.lance.cleanup.CleanupPolicy;
import org.lance.cleanup.RemovalStats;
import org.lance.index.DistanceType;
import org.lance.index.Index;
import org.lance.index.IndexParams;
import org.lance.index.IndexType;
import org.lance.index.vector.HnswBuildParams;
import org.lance.index.vector.IvfBuildParams;
import org.lance.index.vector.PQBuildParams;
import org.lance.index.vector.SQBuildParams;
import org.lance.index.vector.VectorIndexParams;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.Query;
import org.lance.ipc.ScanOptions;
import org.lance.merge.MergeInsertParams;
import org.lance.merge.MergeInsertResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LanceDB table ({@link LanceSchema}) behind the {@link VectorStore} contract.
 *
 * <p>Writes (upsert through merge-insert on {@code id}, delete, index builds) hold the write lock
 * and replace the dataset handle; reads hold the read lock. Search uses cosine distance (score = 1
 * - distance) with prefiltering; without a vector index it is exact (flat), with one it probes
 * {@code nprobes} IVF partitions and re-ranks {@code refine_factor * k} candidates with the stored
 * vectors. Rows written after the index was built are searched exactly (Lance scans unindexed
 * fragments). Filters are Lance SQL built by {@link LanceFilters} from the {@link
 * dev.clipsearch.store.Filter} model. A filter matching at most {@code exact_filter_rows} rows is
 * searched exactly even with an index (cheap, and exact); a broader one goes through the index with
 * prefiltering and falls back to exact search when it returns fewer than k hits while k rows match.
 *
 * <p>After a crash, files an unfinished write left behind are removed after the next session's
 * first commit ({@link #removeLeftovers}).
 *
 * <p>Native memory: one child allocator and one Lance session (bounded index cache) per open table;
 * every scanner and reader is closed; {@link #close()} releases all of it and is idempotent.
 */
final class LanceVectorStore implements VectorStore {

    private static final Logger LOG = LoggerFactory.getLogger(LanceVectorStore.class);

    /**
     * Lance file format of new tables. Measured with lance-core 7.0 on 10,000 x 512-d vectors:
     * exact (flat) search reads format 2.0 about 3x faster than 2.1 or 2.2 (5 ms against 14 ms).
     * LanceDB reads all of them.
     */
    static final String DATA_STORAGE_VERSION = "2.0";

    /**
     * Table config key recording the kind of the vector index (Lance itself reports only VECTOR).
     */
    static final String INDEX_TYPE_CONFIG = "clip_search.index_type";

    /** Table config key recording the IVF partition count of the vector index. */
    static final String PARTITIONS_CONFIG = "clip_search.ivf_partitions";

    /** LanceDB's default name for the index on {@code vector}. */
    static final String VECTOR_INDEX = "vector_idx";

    private static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);
    private static final long METADATA_CACHE_BYTES = 64L << 20;
    private static final int ID_CHUNK = 512;
    private static final int SCAN_BATCH = 1024;

    private final String table;
    private final Path path;
    private final int dimension;
    private final LanceOptions options;
    private final BufferAllocator allocator;
    private final Session session;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Dataset dataset;
    private IndexType indexType;
    private SearchTuning tuning;
    private boolean closed;
    private boolean leftoversChecked;

    /** Search parameters of the current index. */
    record SearchTuning(int nprobes, int refineFactor, int ef) {}

    private LanceVectorStore(
            String table,
            Path path,
            int dimension,
            LanceOptions options,
            BufferAllocator allocator,
            Session session,
            Dataset dataset) {
        this.table = table;
        this.path = path;
        this.dimension = dimension;
        this.options = options;
        this.allocator = allocator;
        this.session = session;
        this.dataset = dataset;
        this.indexType = currentVectorIndex(dataset);
        this.tuning =
                defaultTuning(
                        indexType, indexType == null ? 1 : storedPartitions(dataset), options);
    }

    /**
     * Opens (creating when absent) {@code <db>/<table>.lance}.
     *
     * @param dimension the vector dimension, or 0 to take it from the existing table
     */
    static LanceVectorStore open(Path db, String table, int dimension, LanceOptions options) {
        Objects.requireNonNull(table, "table");
        if (!table.matches("[A-Za-z0-9_.\\-]{1,128}") || table.startsWith(".")) {
            throw new IllegalArgumentException(
                    "Invalid Lance table name '"
                            + table
                            + "': use 1-128 letters, digits, '_', '-' or '.'");
        }
        if (dimension != 0) {
            VectorChecks.checkDimension(dimension);
        }
        Path path = db.resolve(table + ".lance");
        boolean exists = Files.isDirectory(path.resolve("_versions"));
        if (!exists && dimension == 0) {
            throw new IllegalArgumentException(
                    "Lance table '"
                            + table
                            + "' does not exist at "
                            + path
                            + "; index images into it first (clip-search index), or open it with a vector dimension to create it");
        }
        BufferAllocator allocator = ROOT.newChildAllocator("lance:" + path, 0, Long.MAX_VALUE);
        Session session = null;
        Dataset dataset = null;
        try {
            if (!exists) {
                Files.createDirectories(db);
                WriteParams params =
                        new WriteParams.Builder()
                                .withMode(WriteParams.WriteMode.CREATE)
                                .withDataStorageVersion(DATA_STORAGE_VERSION)
                                .build();
                Dataset.create(allocator, path.toString(), LanceSchema.schema(dimension), params)
                        .close();
                LOG.info("Created Lance table {} (dimension {})", path, dimension);
            }
            session =
                    Session.builder()
                            .indexCacheSizeBytes(options.indexCacheBytes())
                            .metadataCacheSizeBytes(METADATA_CACHE_BYTES)
                            .build();
            dataset =
                    Dataset.open()
                            .allocator(allocator)
                            .uri(path.toString())
                            .session(session)
                            .build();
            int stored = LanceSchema.dimensionOf(dataset.getSchema(), table);
            if (dimension != 0 && dimension != stored) {
                throw new IllegalArgumentException(
                        "Lance table '"
                                + table
                                + "' at "
                                + path
                                + " has vector dimension "
                                + stored
                                + ", but dimension "
                                + dimension
                                + " was requested");
            }
            return new LanceVectorStore(table, path, stored, options, allocator, session, dataset);
        } catch (IOException e) {
            closeAll(dataset, session, allocator);
            throw new UncheckedIOException("Cannot create Lance table at " + path, e);
        } catch (RuntimeException e) {
            closeAll(dataset, session, allocator);
            throw e;
        }
    }

    /**
     * Deletes files no version references (data files of a crashed write, unfinished index builds)
     * and old versions. Lance commits by writing a new manifest last, so such files are never
     * visible to readers. Lance only considers files older than the newest retained manifest, so
     * leftovers of a crash (written after the last commit) go at the first commit of the next
     * writer session: this runs after that commit. One writer per table is assumed (a concurrent
     * writer's uncommitted files would look the same).
     */
    private static void removeLeftovers(Dataset dataset) {
        try {
            RemovalStats stats =
                    dataset.cleanupWithPolicy(
                            CleanupPolicy.builder()
                                    .withBeforeVersion(dataset.version())
                                    .withDeleteUnverified(true)
                                    .build());
            if (stats.getBytesRemoved() > 0) {
                LOG.debug(
                        "Removed {} unreferenced or old files ({} bytes, {} old versions) from {}",
                        stats.getDataFilesRemoved()
                                + stats.getIndexFilesRemoved()
                                + stats.getTransactionFilesRemoved()
                                + stats.getDeletionFilesRemoved(),
                        stats.getBytesRemoved(),
                        stats.getOldVersions(),
                        dataset.uri());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not clean up leftover files in {}: {}", dataset.uri(), e.toString());
        }
    }

    private static void closeAll(Dataset dataset, Session session, BufferAllocator allocator) {
        if (dataset != null) {
            dataset.close();
        }
        if (session != null) {
            session.close();
        }
        allocator.close();
    }

    /**
     * The kind of the stored vector index, or null: recorded in the table config, else as Lance
     * reports it.
     */
    private static IndexType currentVectorIndex(Dataset dataset) {
        for (Index index : dataset.getIndexes()) {
            if (VECTOR_INDEX.equals(index.name())) {
                String recorded = dataset.getConfig().get(INDEX_TYPE_CONFIG);
                if (recorded != null) {
                    try {
                        return IndexType.valueOf(recorded);
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Unknown index type '{}' recorded in {}", recorded, dataset.uri());
                    }
                }
                return index.indexType();
            }
        }
        return null;
    }

    /**
     * The IVF partition count of the stored vector index: recorded in the table config when this
     * store builds the index, else read from Lance's index statistics (an index built by LanceDB).
     */
    private static int storedPartitions(Dataset dataset) {
        try {
            String recorded = dataset.getConfig().get(PARTITIONS_CONFIG);
            if (recorded != null) {
                return Integer.parseInt(recorded);
            }
            Object n = find(dataset.getIndexStatistics(VECTOR_INDEX), "num_partitions");
            if (n instanceof Number number) {
                return number.intValue();
            }
            LOG.warn(
                    "No num_partitions in the index statistics of {}; probing 8 partitions",
                    dataset.uri());
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the index partitions of {}: {}", dataset.uri(), e.toString());
        }
        return 8;
    }

    private static Object find(Object node, String key) {
        if (node instanceof Map<?, ?> map) {
            if (map.containsKey(key)) {
                return map.get(key);
            }
            for (Object v : map.values()) {
                Object found = find(v, key);
                if (found != null) {
                    return found;
                }
            }
        } else if (node instanceof Collection<?> list) {
            for (Object v : list) {
                Object found = find(v, key);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Search settings for an index with {@code partitions} IVF partitions: measured defaults
     * (LanceIndexTest and the store benchmark reach recall@10 >= 0.95 with them), overridden by URI
     * parameters.
     */
    static SearchTuning defaultTuning(IndexType type, int partitions, LanceOptions options) {
        int nprobes;
        int refine;
        if (type == IndexType.IVF_PQ) {
            nprobes = Math.min(partitions, Math.max(20, partitions / 8));
            refine = 10;
        } else {
            nprobes = Math.min(partitions, Math.max(8, partitions / 4));
            refine = 2;
        }
        return new SearchTuning(
                options.nprobes() > 0 ? options.nprobes() : Math.max(1, nprobes),
                options.refineFactor() > 0 ? options.refineFactor() : refine,
                options.ef() > 0 ? options.ef() : 150);
    }

    static int defaultPartitions(IndexType type, long rows) {
        if (type == IndexType.IVF_PQ) {
            return (int) Math.max(1, Math.min(4096, Math.round(Math.sqrt(rows) / 2)));
        }
        return (int) Math.max(1, Math.min(1024, rows / 131_072));
    }

    // ------------------------------------------------------------------ VectorStore

    @Override
    public String tableName() {
        return table;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    private void readLocked() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw closedError();
        }
    }

    private void writeLocked() {
        lock.writeLock().lock();
        if (closed) {
            lock.writeLock().unlock();
            throw closedError();
        }
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("Lance table '" + table + "' at " + path + " is closed");
    }

    /** Runs {@code read} under the read lock of an open store. */
    private <T> T locked(Supplier<T> read) {
        readLocked();
        try {
            return read.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long count() {
        return locked(() -> dataset.countRows());
    }

    @Override
    public void upsert(List<ImageRecord> records) {
        VectorChecks.checkBatch(records, dimension);
        if (records.isEmpty()) {
            return;
        }
        writeLocked();
        try (VectorSchemaRoot root = LanceSchema.toRoot(records, dimension, allocator);
                ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            // the stream owns (and closes) the reader once Lance has consumed it
            Data.exportArrayStream(allocator, new SingleBatchReader(allocator, root), stream);
            if (dataset.countRows() == 0) {
                // nothing to match against (and the batch has no duplicate ids): a plain append is
                // the same, faster
                replace(
                        Dataset.write().allocator(allocator).session(session).stream(stream)
                                .uri(path.toString())
                                .mode(WriteParams.WriteMode.APPEND)
                                .execute());
            } else {
                MergeInsertResult result =
                        dataset.mergeInsert(
                                new MergeInsertParams(List.of(LanceSchema.ID))
                                        .withMatchedUpdateAll()
                                        .withNotMatched(MergeInsertParams.WhenNotMatched.InsertAll),
                                stream);
                replace(result.dataset());
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void replace(Dataset next) {
        if (next != dataset) {
            Dataset old = dataset;
            dataset = next;
            old.close();
        }
        committed();
    }

    /** After this session's first commit, removes what earlier (crashed) writers left behind. */
    private void committed() {
        if (!leftoversChecked) {
            leftoversChecked = true;
            removeLeftovers(dataset);
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        VectorChecks.checkQuery(request, dimension);
        String filter = request.filter() == null ? null : LanceFilters.toSql(request.filter());
        readLocked();
        try {
            boolean indexed = indexType != null;
            long matching = -1;
            if (indexed && filter != null) {
                // a selective filter leaves few rows: exact search over them is both cheap and
                // exact, whereas the
                // index would only see the matching rows of the probed partitions
                matching = dataset.countRows(filter);
                indexed = matching > options.exactFilterRows();
            }
            List<SearchHit> hits = nearest(request, filter, indexed);
            if (indexed && hits.size() < request.k()) {
                if (matching < 0) {
                    matching = filter == null ? dataset.countRows() : dataset.countRows(filter);
                }
                if (matching > hits.size()) {
                    LOG.debug(
                            "Indexed search on {} found {} of {} possible hits; searching exactly",
                            table,
                            hits.size(),
                            Math.min(matching, request.k()));
                    hits = nearest(request, filter, false);
                }
            }
            return hits;
        } finally {
            lock.readLock().unlock();
        }
    }

    private List<SearchHit> nearest(SearchRequest request, String filter, boolean useIndex) {
        Query.Builder query =
                new Query.Builder()
                        .setColumn(LanceSchema.VECTOR)
                        .setKey(request.vector())
                        .setK(request.k())
                        .setDistanceType(DistanceType.Cosine)
                        .setUseIndex(useIndex);
        if (useIndex) {
            query.setMinimumNprobes(tuning.nprobes())
                    .setMaximumNprobes(tuning.nprobes())
                    .setRefineFactor(tuning.refineFactor());
            if (indexType == IndexType.IVF_HNSW_SQ) {
                query.setEf(Math.max(tuning.ef(), request.k()));
            }
        }
        List<String> columns =
                new ArrayList<>(
                        List.of(
                                LanceSchema.ID,
                                LanceSchema.LABEL,
                                LanceSchema.METADATA,
                                LanceSchema.DISTANCE));
        if (request.includeImageBytes()) {
            columns.add(LanceSchema.IMAGE_BYTES);
        }
        ScanOptions.Builder scan =
                new ScanOptions.Builder().columns(columns).nearest(query.build()).prefilter(true);
        if (filter != null) {
            scan.filter(filter);
        }
        List<SearchHit> hits = new ArrayList<>(request.k());
        read(
                scan.build(),
                root -> {
                    VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
                    IntVector label = (IntVector) root.getVector(LanceSchema.LABEL);
                    VarCharVector meta = (VarCharVector) root.getVector(LanceSchema.METADATA);
                    VarBinaryVector bytes =
                            request.includeImageBytes()
                                    ? (VarBinaryVector) root.getVector(LanceSchema.IMAGE_BYTES)
                                    : null;
                    Float4Vector distance = (Float4Vector) root.getVector(LanceSchema.DISTANCE);
                    for (int i = 0; i < root.getRowCount(); i++) {
                        float score = Math.max(-1f, Math.min(1f, 1f - distance.get(i)));
                        hits.add(
                                new SearchHit(
                                        string(id, i),
                                        label.isNull(i) ? 0 : label.get(i),
                                        score,
                                        bytes == null || bytes.isNull(i) ? null : bytes.get(i),
                                        metadata(meta, i)));
                    }
                });
        hits.sort(Comparator.comparingDouble(SearchHit::score).reversed());
        return hits.size() > request.k() ? new ArrayList<>(hits.subList(0, request.k())) : hits;
    }

    /** Runs a scan and hands every batch to the consumer; closes scanner and reader. */
    private void read(ScanOptions options, Consumer<VectorSchemaRoot> batches) {
        try (LanceScanner scanner = dataset.newScan(options);
                ArrowReader reader = scanner.scanBatches()) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                batches.accept(root);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Reading Lance table " + path + " failed", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Reading Lance table " + path + " failed: " + e, e);
        }
    }

    private static String string(VarCharVector v, int i) {
        return v.isNull(i) ? null : new String(v.get(i), StandardCharsets.UTF_8);
    }

    private static Map<String, String> metadata(VarCharVector v, int i) {
        return v.isNull(i) ? Map.of() : MetadataJson.decode(string(v, i));
    }

    @Override
    public Optional<ImageRecord> get(String id) {
        Objects.requireNonNull(id, "id");
        List<ImageRecord> found = new ArrayList<>(1);
        return locked(
                () -> {
                    scanRecords(
                            LanceSchema.ID + " = " + LanceFilters.literal(id), true, found::add);
                    return found.stream().findFirst();
                });
    }

    private void scanRecords(
            String filter, boolean includeImageBytes, Consumer<ImageRecord> consumer) {
        List<String> columns =
                new ArrayList<>(
                        List.of(
                                LanceSchema.ID,
                                LanceSchema.LABEL,
                                LanceSchema.VECTOR,
                                LanceSchema.METADATA));
        if (includeImageBytes) {
            columns.add(LanceSchema.IMAGE_BYTES);
        }
        ScanOptions.Builder scan = new ScanOptions.Builder().columns(columns).batchSize(SCAN_BATCH);
        if (filter != null) {
            scan.filter(filter);
        }
        read(
                scan.build(),
                root -> {
                    VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
                    IntVector label = (IntVector) root.getVector(LanceSchema.LABEL);
                    FixedSizeListVector vector =
                            (FixedSizeListVector) root.getVector(LanceSchema.VECTOR);
                    Float4Vector values = (Float4Vector) vector.getDataVector();
                    VarCharVector meta = (VarCharVector) root.getVector(LanceSchema.METADATA);
                    VarBinaryVector bytes =
                            includeImageBytes
                                    ? (VarBinaryVector) root.getVector(LanceSchema.IMAGE_BYTES)
                                    : null;
                    for (int i = 0; i < root.getRowCount(); i++) {
                        float[] v = new float[dimension];
                        int base = vector.getElementStartIndex(i);
                        for (int j = 0; j < dimension; j++) {
                            v[j] = values.get(base + j);
                        }
                        consumer.accept(
                                new ImageRecord(
                                        string(id, i),
                                        label.isNull(i) ? 0 : label.get(i),
                                        bytes == null || bytes.isNull(i) ? null : bytes.get(i),
                                        v,
                                        metadata(meta, i)));
                    }
                });
    }

    @Override
    public Set<String> existingIds(Collection<String> ids) {
        Set<String> out = new HashSet<>();
        readLocked();
        try {
            for (List<String> chunk : chunks(ids)) {
                ScanOptions scan =
                        new ScanOptions.Builder()
                                .columns(List.of(LanceSchema.ID))
                                .filter(idIn(chunk))
                                .batchSize(SCAN_BATCH)
                                .build();
                read(
                        scan,
                        root -> {
                            VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
                            for (int i = 0; i < root.getRowCount(); i++) {
                                out.add(string(id, i));
                            }
                        });
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(ids));
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < unique.size(); i += ID_CHUNK) {
            out.add(unique.subList(i, Math.min(unique.size(), i + ID_CHUNK)));
        }
        return out;
    }

    private static String idIn(List<String> ids) {
        return LanceSchema.ID
                + " IN ("
                + ids.stream().map(LanceFilters::literal).collect(Collectors.joining(", "))
                + ")";
    }

    @Override
    public long delete(Collection<String> ids) {
        Set<String> existing = existingIds(ids);
        if (existing.isEmpty()) {
            return 0;
        }
        writeLocked();
        try {
            for (List<String> chunk : chunks(existing)) {
                dataset.delete(idIn(chunk));
            }
            committed();
            return existing.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Visits every record. The consumer runs under the read lock: it must not write to this store.
     */
    @Override
    public void scan(boolean includeImageBytes, Consumer<ImageRecord> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        locked(
                () -> {
                    scanRecords(null, includeImageBytes, consumer);
                    return null;
                });
    }

    /**
     * Builds the vector index {@value #VECTOR_INDEX}. AUTO: none below {@code index_threshold} rows
     * (an existing index is dropped), IVF_HNSW_SQ above. NONE drops the index. Parameters: {@code
     * num_partitions}, {@code num_sub_vectors} and {@code num_bits} (IVF_PQ), {@code m}, {@code
     * ef_construction} (IVF_HNSW_SQ), {@code sample_rate}, {@code max_iters}, and the search
     * settings {@code nprobes}, {@code refine_factor}, {@code ef}.
     */
    @Override
    public void createIndex(IndexOptions request) {
        Objects.requireNonNull(request, "index options");
        Map<String, String> p = request.params();
        Set<String> known =
                Set.of(
                        "num_partitions",
                        "num_sub_vectors",
                        "num_bits",
                        "m",
                        "ef_construction",
                        "sample_rate",
                        "max_iters",
                        "nprobes",
                        "refine_factor",
                        "ef");
        for (String key : p.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown Lance index parameter '" + key + "' (known: " + known + ")");
            }
        }
        writeLocked();
        try {
            long rows = dataset.countRows();
            IndexType type =
                    switch (request.type()) {
                        case NONE -> null;
                        case AUTO ->
                                rows >= options.indexThreshold() ? IndexType.IVF_HNSW_SQ : null;
                        case IVF_HNSW_SQ -> IndexType.IVF_HNSW_SQ;
                        case IVF_PQ -> IndexType.IVF_PQ;
                        case HNSW ->
                                throw new IllegalArgumentException(
                                        "Lance has no plain HNSW index; use IVF_HNSW_SQ");
                    };
            if (type == null) {
                if (indexType != null) {
                    dataset.dropIndex(VECTOR_INDEX);
                    LOG.info("Dropped vector index of {}; search is exact", table);
                }
                indexType = null;
                tuning = defaultTuning(null, 1, options);
                return;
            }
            if (rows < 256) {
                throw new IllegalArgumentException(
                        "Lance table '"
                                + table
                                + "' has "
                                + rows
                                + " rows; a vector index needs at least 256 (search is exact without one)");
            }
            int partitions = intParam(p, "num_partitions", defaultPartitions(type, rows));
            IvfBuildParams.Builder ivf =
                    new IvfBuildParams.Builder()
                            .setNumPartitions(partitions)
                            .setMaxIters(intParam(p, "max_iters", 50));
            if (p.containsKey("sample_rate")) {
                ivf.setSampleRate(intParam(p, "sample_rate", 256));
            }
            VectorIndexParams params;
            if (type == IndexType.IVF_PQ) {
                int subVectors = intParam(p, "num_sub_vectors", defaultSubVectors(dimension));
                if (dimension % subVectors != 0) {
                    throw new IllegalArgumentException(
                            "num_sub_vectors "
                                    + subVectors
                                    + " must divide the dimension "
                                    + dimension);
                }
                params =
                        VectorIndexParams.withIvfPqParams(
                                DistanceType.Cosine,
                                ivf.build(),
                                new PQBuildParams.Builder()
                                        .setNumSubVectors(subVectors)
                                        .setNumBits(intParam(p, "num_bits", 8))
                                        .build());
            } else {
                params =
                        VectorIndexParams.withIvfHnswSqParams(
                                DistanceType.Cosine,
                                ivf.build(),
                                new HnswBuildParams.Builder()
                                        .setM(intParam(p, "m", 20))
                                        .setEfConstruction(intParam(p, "ef_construction", 150))
                                        .build(),
                                new SQBuildParams.Builder().setNumBits((short) 8).build());
            }
            long start = System.nanoTime();
            dataset.createIndex(
                    List.of(LanceSchema.VECTOR),
                    type,
                    Optional.of(VECTOR_INDEX),
                    IndexParams.builder().setVectorIndexParams(params).build(),
                    true);
            LOG.info(
                    "Built {} index on {} ({} rows, {} partitions) in {} ms",
                    type,
                    table,
                    rows,
                    partitions,
                    (System.nanoTime() - start) / 1_000_000);
            dataset.updateConfig(
                    Map.of(
                            PARTITIONS_CONFIG,
                            String.valueOf(partitions),
                            INDEX_TYPE_CONFIG,
                            type.name()));
            indexType = type;
            SearchTuning d = defaultTuning(type, partitions, options);
            tuning =
                    new SearchTuning(
                            intParam(p, "nprobes", d.nprobes()),
                            intParam(p, "refine_factor", d.refineFactor()),
                            intParam(p, "ef", d.ef()));
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static int defaultSubVectors(int dimension) {
        for (int s = Math.max(1, dimension / 16); s > 1; s--) {
            if (dimension % s == 0) {
                return s;
            }
        }
        return 1;
    }

    private static int intParam(Map<String, String> params, String key, int defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Index parameter '" + key + "' must be a positive integer, got '" + v + "'");
        }
    }

    @Override
    public TableInfo info() {
        return locked(
                () ->
                        new TableInfo(
                                table,
                                dataset.countRows(),
                                dimension,
                                indexType == null
                                        ? "none (exact)"
                                        : indexType
                                                + " (nprobes="
                                                + tuning.nprobes()
                                                + ", refine_factor="
                                                + tuning.refineFactor()
                                                + ")",
                                path.toString()));
    }

    /** The index kind in use, or null for exact search (tests, benchmark). */
    IndexType vectorIndexType() {
        return locked(() -> indexType);
    }

    /** The search settings in use (tests, benchmark). */
    SearchTuning tuning() {
        return locked(() -> tuning);
    }

    /** The Lance dataset schema as stored (tests). */
    org.apache.arrow.vector.types.pojo.Schema storedSchema() {
        return locked(() -> dataset.getSchema());
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeAll(dataset, session, allocator);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
