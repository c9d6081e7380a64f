package dev.clipsearch.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The reference {@link VectorStore}: exact brute-force cosine search over records held in memory,
 * thread-safe through a read-write lock. Store URI {@code memory:NAME}; tables live as long as the
 * JVM, keyed by NAME and table name, so reopening {@code memory:NAME} in the same JVM sees the same
 * data.
 */
public final class InMemoryVectorStore implements VectorStore {

    private static final Map<String, Table> TABLES = new ConcurrentHashMap<>();

    private final Table table;
    private volatile boolean closed;

    private InMemoryVectorStore(Table table) {
        this.table = table;
    }

    /**
     * Opens (creating when absent) the table {@code table} of the in-memory database {@code name}.
     *
     * @param dimension the vector dimension, or 0 to take it from the existing table
     * @throws StoreSchemaException when the table exists with another dimension
     * @throws StoreNotFoundException when the table does not exist and dimension is 0
     */
    public static InMemoryVectorStore open(String name, String table, int dimension) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(table, "table");
        if (table.isEmpty()) {
            throw new IllegalArgumentException("Table name must not be empty");
        }
        VectorChecks.checkOpenDimension(dimension);
        String key = name + '\u0000' + table;
        synchronized (TABLES) {
            Table t = TABLES.get(key);
            if (t == null) {
                if (dimension == 0) {
                    throw new StoreNotFoundException(
                            "Table '"
                                    + table
                                    + "' does not exist in memory:"
                                    + name
                                    + "; open it with a vector dimension to create it");
                }
                t = new Table(table, "memory:" + name, dimension);
                TABLES.put(key, t);
            } else if (dimension != 0 && dimension != t.dimension) {
                throw new StoreSchemaException(
                        "Table '"
                                + table
                                + "' in memory:"
                                + name
                                + " has dimension "
                                + t.dimension
                                + ", but dimension "
                                + dimension
                                + " was requested");
            }
            return new InMemoryVectorStore(t);
        }
    }

    /**
     * Removes a table (if present) from the JVM-wide registry; open handles keep their data until
     * closed.
     */
    public static void drop(String name, String table) {
        TABLES.remove(name + '\u0000' + table);
    }

    /** Serves the {@code memory:} scheme. */
    public static final class Provider implements VectorStoreProvider {
        @Override
        public String scheme() {
            return "memory";
        }

        @Override
        public VectorStore open(StoreLocation location, String table, int dimension) {
            return InMemoryVectorStore.open(
                    location.target(), location.param("table", table), dimension);
        }
    }

    private static final class Table {
        final String name;
        final String location;
        final int dimension;
        final ReadWriteLock lock = new ReentrantReadWriteLock();
        final Map<String, Entry> rows = new LinkedHashMap<>();
        final Map<String, String> tableMetadata = new LinkedHashMap<>();

        Table(String name, String location, int dimension) {
            this.name = name;
            this.location = location;
            this.dimension = dimension;
        }
    }

    private record Entry(ImageRecord record, float[] unit) {}

    private record Scored(Entry entry, float score) {}

    private static final Comparator<Scored> WORST_FIRST =
            Comparator.comparingDouble(Scored::score)
                    .thenComparing(s -> s.entry.record().id(), Comparator.reverseOrder());

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(
                    "Vector store for table '" + table.name + "' is closed");
        }
    }

    @Override
    public String tableName() {
        return table.name;
    }

    @Override
    public int dimension() {
        return table.dimension;
    }

    @Override
    public long count() {
        ensureOpen();
        table.lock.readLock().lock();
        try {
            return table.rows.size();
        } finally {
            table.lock.readLock().unlock();
        }
    }

    @Override
    public void upsert(List<ImageRecord> records) {
        ensureOpen();
        VectorChecks.checkBatch(records, table.dimension);
        List<Entry> entries = new ArrayList<>(records.size());
        for (ImageRecord r : records) {
            byte[] bytes = r.imageBytes() == null ? null : r.imageBytes().clone();
            ImageRecord copy =
                    new ImageRecord(r.id(), r.label(), bytes, r.vector().clone(), r.metadata());
            entries.add(new Entry(copy, VectorChecks.normalize(r.vector())));
        }
        table.lock.writeLock().lock();
        try {
            for (Entry e : entries) {
                table.rows.put(e.record().id(), e);
            }
        } finally {
            table.lock.writeLock().unlock();
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        ensureOpen();
        VectorChecks.checkQuery(request, table.dimension);
        float[] q = VectorChecks.normalize(request.vector());
        Filter filter = request.filter();
        int k = request.k();
        PriorityQueue<Scored> heap = new PriorityQueue<>(Math.min(k, 1024) + 1, WORST_FIRST);
        table.lock.readLock().lock();
        try {
            for (Entry e : table.rows.values()) {
                ImageRecord r = e.record();
                if (filter != null && !filter.matches(r.label(), r.metadata())) {
                    continue;
                }
                Scored s = new Scored(e, (float) VectorChecks.dot(q, e.unit()));
                if (heap.size() < k) {
                    heap.add(s);
                } else if (WORST_FIRST.compare(s, heap.peek()) > 0) {
                    heap.poll();
                    heap.add(s);
                }
            }
        } finally {
            table.lock.readLock().unlock();
        }
        List<Scored> best = new ArrayList<>(heap);
        best.sort(WORST_FIRST.reversed());
        List<SearchHit> hits = new ArrayList<>(best.size());
        for (Scored s : best) {
            ImageRecord r = s.entry().record();
            byte[] bytes =
                    request.includeImageBytes() && r.imageBytes() != null
                            ? r.imageBytes().clone()
                            : null;
            hits.add(new SearchHit(r.id(), r.label(), s.score(), bytes, r.metadata()));
        }
        return hits;
    }

    @Override
    public Optional<ImageRecord> get(String id) {
        ensureOpen();
        Objects.requireNonNull(id, "id");
        table.lock.readLock().lock();
        try {
            Entry e = table.rows.get(id);
            return e == null ? Optional.empty() : Optional.of(copy(e.record(), true));
        } finally {
            table.lock.readLock().unlock();
        }
    }

    private static ImageRecord copy(ImageRecord r, boolean withBytes) {
        byte[] bytes = withBytes && r.imageBytes() != null ? r.imageBytes().clone() : null;
        return new ImageRecord(r.id(), r.label(), bytes, r.vector().clone(), r.metadata());
    }

    @Override
    public Set<String> existingIds(Collection<String> ids) {
        ensureOpen();
        Set<String> out = new HashSet<>();
        table.lock.readLock().lock();
        try {
            for (String id : ids) {
                if (table.rows.containsKey(id)) {
                    out.add(id);
                }
            }
        } finally {
            table.lock.readLock().unlock();
        }
        return out;
    }

    @Override
    public long delete(Collection<String> ids) {
        ensureOpen();
        long n = 0;
        table.lock.writeLock().lock();
        try {
            for (String id : new HashSet<>(ids)) {
                if (table.rows.remove(id) != null) {
                    n++;
                }
            }
        } finally {
            table.lock.writeLock().unlock();
        }
        return n;
    }

    @Override
    public void scan(boolean includeImageBytes, Consumer<ImageRecord> consumer) {
        ensureOpen();
        List<ImageRecord> snapshot;
        table.lock.readLock().lock();
        try {
            snapshot = new ArrayList<>(table.rows.size());
            for (Entry e : table.rows.values()) {
                snapshot.add(e.record());
            }
        } finally {
            table.lock.readLock().unlock();
        }
        for (ImageRecord r : snapshot) {
            consumer.accept(copy(r, includeImageBytes));
        }
    }

    /**
     * The in-memory store always searches exactly: every index request is accepted and changes
     * nothing.
     */
    @Override
    public void createIndex(IndexOptions options) {
        ensureOpen();
        Objects.requireNonNull(options, "options");
    }

    @Override
    public TableInfo info() {
        ensureOpen();
        table.lock.readLock().lock();
        try {
            return new TableInfo(
                    table.name, table.rows.size(), table.dimension, "none (exact)", table.location);
        } finally {
            table.lock.readLock().unlock();
        }
    }

    @Override
    public Map<String, String> tableMetadata() {
        ensureOpen();
        table.lock.readLock().lock();
        try {
            return Map.copyOf(table.tableMetadata);
        } finally {
            table.lock.readLock().unlock();
        }
    }

    @Override
    public void putTableMetadata(Map<String, String> entries) {
        ensureOpen();
        Map<String, String> checked = VectorChecks.checkTableMetadata(entries);
        table.lock.writeLock().lock();
        try {
            table.tableMetadata.putAll(checked);
        } finally {
            table.lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
