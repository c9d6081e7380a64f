package dev.clipsearch.store.lance;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.StoreException;
import dev.clipsearch.store.StoreLockedException;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.StoreSchemaException;
import dev.clipsearch.store.StoreSetupException;
import dev.clipsearch.store.TableInfo;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.lance.LanceIndexInfo.SearchTuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.lance.Dataset;
import org.lance.Session;
import org.lance.WriteParams;
import org.lance.cleanup.CleanupPolicy;
import org.lance.cleanup.RemovalStats;
import org.lance.index.DistanceType;
import org.lance.index.IndexType;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.Query;
import org.lance.ipc.ScanOptions;
import org.lance.merge.MergeInsertParams;
import org.lance.merge.MergeInsertResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LanceDB table (columns id, label, image_bytes, vector, metadata) behind the {@link
 * VectorStore} contract.
 *
 * <p>Writes (upsert through merge-insert on {@code id}, delete, index builds) hold the write lock
 * and replace the dataset handle; reads hold the read lock. Search uses cosine distance (score = 1
 * - distance) with prefiltering; without a vector index it is exact (flat), with one it probes
 * {@code nprobes} IVF partitions and re-ranks {@code refine_factor * k} candidates with the stored
 * vectors. Rows written after the index was built are searched exactly (Lance scans unindexed
 * fragments). Filters are escaped Lance SQL built from the {@link dev.clipsearch.store.Filter}
 * model. A filter matching at most {@code exact_filter_rows} rows is searched exactly even with an
 * index (cheap, and exact); a broader one goes through the index with prefiltering and falls back
 * to exact search when it returns fewer than k hits while k rows match.
 *
 * <p>After a crash, files an unfinished write left behind are removed after the next session's
 * first commit.
 *
 * <p>One writer per table: the first write (upsert, delete, index build) takes an exclusive OS file
 * lock on {@code <db>/.<table>.write.lock} and holds it until {@link #close()}; a second writer, in
 * this or another process, fails at once with {@link StoreLockedException} naming the holder's pid.
 * Readers never lock. Creating the table takes the lock only for the creation.
 *
 * <p>Opening needs the JVM option {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Apache
 * Arrow); without it {@link Builder#open()} fails with a one-line {@link StoreSetupException}.
 *
 * <p>Open a table with {@link #builder(Path)}, or by a {@code lance:PATH} store URI through {@link
 * dev.clipsearch.store.VectorStores}.
 *
 * <p>Native memory: one child allocator and one Lance session (bounded index cache) per open table;
 * every scanner and reader is closed; {@link #close()} releases all of it and is idempotent.
 */
public final class LanceVectorStore implements VectorStore {

    private static final Logger LOG = LoggerFactory.getLogger(LanceVectorStore.class);

    /** The Arrow root allocator, created on first use (after {@code ArrowAccess.requireOpen()}). */
    private static final class Allocators {
        static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);
    }

    /**
     * Lance file format of new tables. Measured with lance-core 7.0 on 10,000 x 512-d vectors:
     * exact (flat) search reads format 2.0 about 3x faster than 2.1 or 2.2 (5 ms against 14 ms).
     * LanceDB reads all of them.
     */
    static final String DATA_STORAGE_VERSION = "2.0";

    private static final long METADATA_CACHE_BYTES = 64L << 20;
    private static final int ID_CHUNK = 512;
    private static final int SCAN_BATCH = 1024;

    /** Rows from which upserts keep a BTREE index on {@code id}. */
    static final long ID_INDEX_ROWS = 4096;

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
    private TableWriteLock writeLock;
    private boolean idIndexed;
    private long rowsSinceIdIndex;
    private volatile MemoryVectors memory;
    private final Object memoryLoad = new Object();
    private long memoryTooLargeAt = -1;

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
        this.indexType = LanceIndexInfo.currentVectorIndex(dataset);
        this.tuning = LanceIndexInfo.tuningOf(dataset, indexType, options);
        this.idIndexed = LanceIndexBuilder.hasIdIndex(dataset);
    }

    /**
     * A builder for a table of the embedded LanceDB database in directory {@code database} (created
     * when absent). The same options as the {@code lance:PATH?...} store URI, typed.
     *
     * <pre>{@code
     * try (VectorStore store = LanceVectorStore.builder(Path.of("data/lancedb"))
     *         .table("image_search").dimension(512).indexThreshold(50_000).open()) { ... }
     * }</pre>
     */
    public static Builder builder(Path database) {
        return new Builder(database);
    }

    /**
     * Options of a Lance table; {@link #open()} opens it. Defaults: table {@value
     * dev.clipsearch.store.VectorStores#DEFAULT_TABLE}, dimension 0 (take it from the existing
     * table), index threshold 100,000 rows, measured search settings, a 4 GiB index cache bound,
     * exact search for filters matching up to 20,000 rows.
     */
    public static final class Builder {
        private final Path database;
        private String table = dev.clipsearch.store.VectorStores.DEFAULT_TABLE;
        private int dimension;
        private LanceOptions options = LanceOptions.defaults();

        private Builder(Path database) {
            this.database = Objects.requireNonNull(database, "database directory");
        }

        /**
         * The table name (default {@code image_search}); the table lives in {@code <table>.lance}.
         */
        public Builder table(String table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * The vector dimension; the table is created with it when absent, and an existing table
         * must have it ({@link StoreSchemaException} otherwise). 0 (default): the table must exist
         * ({@link StoreNotFoundException} otherwise) and gives the dimension.
         */
        public Builder dimension(int dimension) {
            this.dimension = VectorChecks.checkOpenDimension(dimension);
            return this;
        }

        /** Rows from which {@code createIndex(AUTO)} builds an ANN index (below: exact search). */
        public Builder indexThreshold(long rows) {
            options = options.withIndexThreshold(LanceOptions.check("indexThreshold", rows));
            return this;
        }

        /** IVF partitions searched per query; 0 (default): the index type's measured default. */
        public Builder nprobes(int nprobes) {
            options = options.withNprobes((int) LanceOptions.check("nprobes", nprobes));
            return this;
        }

        /** Candidates re-ranked with the full vectors, as a multiple of k; 0: default. */
        public Builder refineFactor(int refineFactor) {
            options =
                    options.withRefineFactor(
                            (int) LanceOptions.check("refineFactor", refineFactor));
            return this;
        }

        /** HNSW search breadth; 0: default (150). */
        public Builder ef(int ef) {
            options = options.withEf((int) LanceOptions.check("ef", ef));
            return this;
        }

        /** Upper bound of the index cache of this table, in MiB (default 4096). */
        public Builder indexCacheMb(long megabytes) {
            options =
                    options.withIndexCacheBytes(
                            LanceOptions.check("indexCacheMb", megabytes) << 20);
            return this;
        }

        /** Filtered searches matching at most this many rows are exact even with an index. */
        public Builder exactFilterRows(long rows) {
            options = options.withExactFilterRows(LanceOptions.check("exactFilterRows", rows));
            return this;
        }

        /**
         * A table without a vector index and with at most this many rows (default 100,000) and at
         * most {@link #indexThreshold} rows is searched from a memory-resident copy of its vectors,
         * reloaded when the table version changes: about {@code 4 * dimension} bytes per row (2 KB
         * at 512-d). 0: never, every search reads the table.
         */
        public Builder memoryRows(long rows) {
            options = options.withMemoryRows(LanceOptions.check("memoryRows", rows));
            return this;
        }

        Builder options(LanceOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Opens (creating when absent, if a dimension was given) the table.
         *
         * @throws StoreNotFoundException when the table does not exist and no dimension was given
         * @throws StoreSchemaException when the table has another dimension or is not a clip-search
         *     table
         * @throws StoreSetupException when the JVM lacks {@code
         *     --add-opens=java.base/java.nio=ALL-UNNAMED}
         * @throws StoreLockedException when the table must be created but another writer holds it
         * @throws StoreException when Lance cannot read or create the table
         */
        public VectorStore open() {
            return LanceVectorStore.open(
                    database.toAbsolutePath().normalize(), table, dimension, options);
        }
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
        VectorChecks.checkOpenDimension(dimension);
        ArrowAccess.requireOpen();
        Path path = db.resolve(table + ".lance");
        boolean exists = Files.isDirectory(path.resolve("_versions"));
        if (!exists && dimension == 0) {
            throw new StoreNotFoundException(
                    "Lance table '"
                            + table
                            + "' does not exist at "
                            + path
                            + "; open it with a vector dimension to create it, or check the"
                            + " database directory and table name");
        }
        BufferAllocator allocator =
                Allocators.ROOT.newChildAllocator("lance:" + path, 0, Long.MAX_VALUE);
        Session session = null;
        Dataset dataset = null;
        try {
            if (!exists) {
                create(db, table, path, dimension, allocator);
            }
            session =
                    Session.builder()
                            .indexCacheSizeBytes(options.indexCacheBytes())
                            .metadataCacheSizeBytes(METADATA_CACHE_BYTES)
                            .build();
            dataset = openDataset(path, allocator, session);
            int stored = LanceSchema.dimensionOf(dataset.getSchema(), table);
            if (dimension != 0 && dimension != stored) {
                throw new StoreSchemaException(
                        "Lance table '"
                                + table
                                + "' at "
                                + path
                                + " has vector dimension "
                                + stored
                                + ", but dimension "
                                + dimension
                                + " was requested; open it with dimension "
                                + stored
                                + " (or 0), or use another table for "
                                + dimension
                                + "-d vectors");
            }
            return new LanceVectorStore(table, path, stored, options, allocator, session, dataset);
        } catch (RuntimeException e) {
            closeAll(dataset, session, allocator);
            throw e;
        }
    }

    private static void create(
            Path db, String table, Path path, int dimension, BufferAllocator allocator) {
        try {
            Files.createDirectories(db);
        } catch (IOException e) {
            throw LanceErrors.io(
                    "create the database directory of Lance table '" + table + "'", db, e);
        }
        // creating is a write: not while another writer holds the table (the lock is released at
        // once; this store takes it again on its first upsert, delete or index build)
        try (TableWriteLock ignored = TableWriteLock.acquire(db, table, path)) {
            if (Files.isDirectory(path.resolve("_versions"))) {
                return; // created by that writer meanwhile
            }
            WriteParams params =
                    new WriteParams.Builder()
                            .withMode(WriteParams.WriteMode.CREATE)
                            .withDataStorageVersion(DATA_STORAGE_VERSION)
                            .build();
            try {
                Dataset.create(allocator, path.toString(), LanceSchema.schema(dimension), params)
                        .close();
            } catch (Exception e) {
                throw LanceErrors.lance("create Lance table '" + table + "'", path, e);
            }
            LOG.info("Created Lance table {} (dimension {})", path, dimension);
        }
    }

    private static Dataset openDataset(Path path, BufferAllocator allocator, Session session) {
        try {
            return Dataset.open()
                    .allocator(allocator)
                    .uri(path.toString())
                    .session(session)
                    .build();
        } catch (Exception e) {
            throw LanceErrors.lance("open Lance table", path, e);
        }
    }

    /**
     * Deletes files no version references (data files of a crashed write, unfinished index builds)
     * and old versions. Lance commits by writing a new manifest last, so such files are never
     * visible to readers. Lance only considers files older than the newest retained manifest, so
     * leftovers of a crash (written after the last commit) go at the first commit of the next
     * writer session: this runs after that commit. It relies on the one-writer lock ({@link
     * TableWriteLock}): a concurrent writer's uncommitted files would look the same.
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

    /**
     * Takes the in-process write lock and, on the first write of this store, the table's one-writer
     * lock ({@link TableWriteLock}), held until {@link #close()}.
     */
    private void writeLocked() {
        lock.writeLock().lock();
        if (closed) {
            lock.writeLock().unlock();
            throw closedError();
        }
        if (writeLock == null) {
            try {
                writeLock = TableWriteLock.acquire(path.getParent(), table, path);
            } catch (RuntimeException e) {
                lock.writeLock().unlock();
                throw e;
            }
            // the rows an earlier writer left outside the id index count towards its next update
            rowsSinceIdIndex = Math.max(0, LanceIndexBuilder.unindexedIdRows(dataset));
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
            rowsSinceIdIndex += records.size();
            maintainIdIndex();
        } catch (Exception e) {
            throw LanceErrors.ofWrite("upsert into Lance table '" + table + "'", path, e);
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

    /**
     * Keeps the BTREE index on {@code id} (fetch by id without a scan) in step with the table:
     * built once the table has {@value #ID_INDEX_ROWS} rows, updated (incrementally) once the rows
     * written since exceed {@value #ID_INDEX_ROWS} and a sixteenth of the table, and when this
     * writer closes. Rows written since are found by scanning only their own fragments. A failure
     * leaves lookups correct (they scan) and is logged. Write lock held.
     */
    private void maintainIdIndex() {
        long rows = dataset.countRows();
        try {
            if (!idIndexed) {
                if (rows >= ID_INDEX_ROWS) {
                    LanceIndexBuilder.buildIdIndex(dataset, table);
                    idIndexed = true;
                    rowsSinceIdIndex = 0;
                }
            } else if (rowsSinceIdIndex >= Math.max(ID_INDEX_ROWS, rows / 16)) {
                LanceIndexBuilder.updateIdIndex(dataset, table);
                rowsSinceIdIndex = 0;
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not update the id index of {}: {}", path, e.toString());
        }
    }

    /**
     * The memory-resident copy of the current table version, loading it when the version changed;
     * null when the table has a vector index or more rows than {@code memory_rows} or {@code
     * index_threshold}. Read lock held.
     */
    private MemoryVectors memory() {
        if (indexType != null || options.memoryRows() == 0) {
            memory = null; // the index searches: free the copy
            return null;
        }
        long version = dataset.version();
        MemoryVectors m = memory;
        if (m != null && m.version() == version) {
            return m;
        }
        synchronized (memoryLoad) {
            m = memory;
            if (m != null && m.version() == version) {
                return m;
            }
            if (memoryTooLargeAt == version) {
                return null;
            }
            memory = null;
            long rows = dataset.countRows();
            if (rows > Math.min(options.memoryRows(), options.indexThreshold())) {
                memoryTooLargeAt = version;
                return null;
            }
            long start = System.nanoTime();
            MemoryVectors.Loader loader = new MemoryVectors.Loader(version, dimension, (int) rows);
            ScanOptions scan =
                    new ScanOptions.Builder()
                            .columns(
                                    List.of(
                                            LanceSchema.ID,
                                            LanceSchema.LABEL,
                                            LanceSchema.VECTOR,
                                            LanceSchema.METADATA))
                            .batchSize(SCAN_BATCH)
                            .build();
            read(scan, loader::add);
            m = loader.done();
            memory = m;
            LOG.debug(
                    "Loaded {} vectors of {} version {} into memory in {} ms",
                    m.size(),
                    table,
                    version,
                    (System.nanoTime() - start) / 1_000_000);
            return m;
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        VectorChecks.checkQuery(request, dimension);
        String filter = request.filter() == null ? null : LanceFilters.toSql(request.filter());
        readLocked();
        try {
            MemoryVectors m = memory();
            if (m != null) {
                List<SearchHit> hits = m.search(request.vector(), request.k(), request.filter());
                return request.includeImageBytes() ? withImageBytes(hits) : hits;
            }
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
        read(scan.build(), root -> LanceRows.hits(root, request.includeImageBytes(), hits));
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
            throw LanceErrors.io("read Lance table '" + table + "'", path, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("Reading Lance table " + path + " failed: " + e, e);
        }
    }

    /** The hits with their image bytes, fetched by id. Read lock held. */
    private List<SearchHit> withImageBytes(List<SearchHit> hits) {
        if (hits.isEmpty()) {
            return hits;
        }
        java.util.Map<String, byte[]> bytes = new java.util.HashMap<>();
        lookup(
                hits.stream().map(SearchHit::id).toList(),
                List.of(LanceSchema.ID, LanceSchema.IMAGE_BYTES),
                root -> {
                    VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
                    VarBinaryVector image =
                            (VarBinaryVector) root.getVector(LanceSchema.IMAGE_BYTES);
                    for (int i = 0; i < root.getRowCount(); i++) {
                        bytes.put(LanceRows.string(id, i), image.isNull(i) ? null : image.get(i));
                    }
                });
        List<SearchHit> out = new ArrayList<>(hits.size());
        for (SearchHit h : hits) {
            out.add(new SearchHit(h.id(), h.label(), h.score(), bytes.get(h.id()), h.metadata()));
        }
        return out;
    }

    /**
     * The record with this id: a lookup in the BTREE index on {@code id} (kept by upserts and index
     * builds), scanning only the fragments written since the index was last updated; a table
     * without that index yet (under {@value #ID_INDEX_ROWS} rows, or written before it existed) is
     * scanned.
     */
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
        ScanOptions.Builder scan =
                new ScanOptions.Builder()
                        .columns(columns)
                        .batchSize(SCAN_BATCH)
                        .useScalarIndex(true);
        if (filter != null) {
            scan.filter(filter);
        }
        read(scan.build(), root -> LanceRows.records(root, dimension, includeImageBytes, consumer));
    }

    @Override
    public Set<String> existingIds(Collection<String> ids) {
        Set<String> out = new HashSet<>();
        readLocked();
        try {
            lookup(
                    ids,
                    List.of(LanceSchema.ID),
                    root -> {
                        VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
                        for (int i = 0; i < root.getRowCount(); i++) {
                            out.add(LanceRows.string(id, i));
                        }
                    });
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    /**
     * Reads {@code columns} of the rows with these ids (through the id index where there is one),
     * in chunks of {@value #ID_CHUNK} ids. Read lock held.
     */
    private void lookup(
            Collection<String> ids, List<String> columns, Consumer<VectorSchemaRoot> batches) {
        for (List<String> chunk : chunks(ids)) {
            read(
                    new ScanOptions.Builder()
                            .columns(columns)
                            .filter(idIn(chunk))
                            .useScalarIndex(true)
                            .batchSize(SCAN_BATCH)
                            .build(),
                    batches);
        }
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
        } catch (Exception e) {
            throw LanceErrors.ofWrite("delete from Lance table '" + table + "'", path, e);
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
     * Builds the vector index {@code vector_idx}. AUTO: none below {@code index_threshold} rows (an
     * existing index is dropped), IVF_HNSW_SQ above. NONE drops the index. Parameters: {@code
     * num_partitions}, {@code num_sub_vectors} and {@code num_bits} (IVF_PQ), {@code m}, {@code
     * ef_construction} (IVF_HNSW_SQ), {@code sample_rate}, {@code max_iters}, and the search
     * settings {@code nprobes}, {@code refine_factor}, {@code ef}.
     */
    @Override
    public void createIndex(IndexOptions request) {
        Objects.requireNonNull(request, "index options");
        LanceIndexBuilder.checkParams(request);
        writeLocked();
        try {
            LanceIndexBuilder.Built built =
                    LanceIndexBuilder.build(dataset, table, dimension, indexType, request, options);
            indexType = built.type();
            tuning = built.tuning();
            if (dataset.countRows() > 0) {
                LanceIndexBuilder.buildIdIndex(dataset, table);
                idIndexed = true;
                rowsSinceIdIndex = 0;
            }
        } catch (Exception e) {
            throw LanceErrors.ofWrite("build the index of Lance table '" + table + "'", path, e);
        } finally {
            lock.writeLock().unlock();
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
                                LanceIndexInfo.describe(indexType, tuning),
                                path.toString()));
    }

    // ------------------------------------------------------------------ table metadata, versions

    /**
     * Prefix of the table metadata keys in the Lance dataset config (which also holds Lance's own
     * {@code lance.*} settings).
     */
    static final String CONFIG_PREFIX = "clip-search.";

    /** Table metadata lives in the dataset config: versioned with the data, read by LanceDB too. */
    @Override
    public Map<String, String> tableMetadata() {
        return locked(
                () -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    dataset.getConfig()
                            .forEach(
                                    (k, v) -> {
                                        if (k.startsWith(CONFIG_PREFIX)) {
                                            out.put(k.substring(CONFIG_PREFIX.length()), v);
                                        }
                                    });
                    return out;
                });
    }

    @Override
    public void putTableMetadata(Map<String, String> entries) {
        Map<String, String> checked = VectorChecks.checkTableMetadata(entries);
        if (checked.isEmpty()) {
            return;
        }
        writeLocked();
        try {
            // lance-core 7 replaces the whole config with the map given: merge here
            Map<String, String> config = new LinkedHashMap<>(dataset.getConfig());
            checked.forEach((k, v) -> config.put(CONFIG_PREFIX + k, v));
            dataset.updateConfig(config);
            committed();
        } catch (Exception e) {
            throw LanceErrors.ofWrite(
                    "write the table metadata of Lance table '" + table + "'", path, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** One filtered scan per 512 ids (id, label, vector, metadata; no image bytes). */
    @Override
    public Map<String, ImageRecord> getAll(Collection<String> ids) {
        Map<String, ImageRecord> out = new LinkedHashMap<>();
        readLocked();
        try {
            for (List<String> chunk : chunks(ids)) {
                scanRecords(idIn(chunk), false, r -> out.put(r.id(), r));
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    /**
     * Checks out the latest committed version when another handle (another process) committed
     * since: one read of the version list when nothing changed.
     */
    @Override
    public boolean refresh() {
        long seen;
        long latest;
        readLocked();
        try {
            seen = dataset.version();
            latest = dataset.latestVersion();
        } catch (RuntimeException e) {
            throw LanceErrors.lance("check the version of Lance table '" + table + "'", path, e);
        } finally {
            lock.readLock().unlock();
        }
        if (latest == seen) {
            return false;
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                throw closedError();
            }
            dataset.checkoutLatest();
            indexType = LanceIndexInfo.currentVectorIndex(dataset);
            tuning = LanceIndexInfo.tuningOf(dataset, indexType, options);
            LOG.debug("Lance table {} moved from version {} to {}", path, seen, dataset.version());
            return true;
        } catch (RuntimeException e) {
            throw LanceErrors.lance(
                    "read the latest version of Lance table '" + table + "'", path, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The index kind in use, or null for exact search (tests, benchmark). */
    IndexType vectorIndexType() {
        return locked(() -> indexType);
    }

    /**
     * Rows of the memory-resident copy searched now, or -1 when searches read the table (tests).
     */
    int memoryRowsLoaded() {
        MemoryVectors m = memory;
        return m == null ? -1 : m.size();
    }

    /** Rows outside the id index, or -1 without one (tests). */
    long unindexedIdRows() {
        return locked(() -> LanceIndexBuilder.unindexedIdRows(dataset));
    }

    /** Whether the table has the BTREE index on {@code id} (tests). */
    boolean hasIdIndex() {
        return locked(() -> LanceIndexBuilder.hasIdIndex(dataset));
    }

    /** Scan statistics of fetching one id (tests: shows the id index is used). */
    org.lance.ipc.ScanStats lookupStats(String id) {
        return locked(
                () -> {
                    ScanOptions scan =
                            new ScanOptions.Builder()
                                    .columns(List.of(LanceSchema.ID))
                                    .filter(LanceSchema.ID + " = " + LanceFilters.literal(id))
                                    .useScalarIndex(true)
                                    .collectStats(true)
                                    .build();
                    try (LanceScanner scanner = dataset.newScan(scan);
                            ArrowReader reader = scanner.scanBatches()) {
                        while (reader.loadNextBatch()) {
                            // drain
                        }
                        return scanner.getStats().orElseThrow();
                    } catch (Exception e) {
                        throw new StoreException("lookup stats failed: " + e, e);
                    }
                });
    }

    /** The options this store was opened with (tests). */
    LanceOptions options() {
        return options;
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
            if (writeLock != null && idIndexed && rowsSinceIdIndex > 0) {
                // the end of an ingest: bring the id index up to date so later readers scan nothing
                try {
                    LanceIndexBuilder.updateIdIndex(dataset, table);
                } catch (RuntimeException e) {
                    LOG.warn("Could not update the id index of {}: {}", path, e.toString());
                }
            }
            memory = null;
            closeAll(dataset, session, allocator);
            if (writeLock != null) {
                writeLock.close();
                writeLock = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
