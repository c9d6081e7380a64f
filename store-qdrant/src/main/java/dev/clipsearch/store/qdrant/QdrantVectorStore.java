package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreException;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.StoreSchemaException;
import dev.clipsearch.store.StoreUnavailableException;
import dev.clipsearch.store.TableInfo;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.VectorInputFactory;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VectorStore} on a Qdrant collection, over gRPC. One unnamed dense vector per point
 * (Cosine), the record in the payload (id, label, metadata and, unless disabled, the image bytes),
 * point ids derived from the record ids (UUID v5). Opened with {@link #builder(String, int)}, or by
 * a {@code qdrant://} store URI through {@link QdrantVectorStoreProvider}; thread-safe (the gRPC
 * channel is).
 *
 * <p>Errors: {@link StoreUnavailableException} (server unreachable, no answer in time, after
 * retries), {@link StoreAccessDeniedException} (API key missing or rejected), {@link
 * StoreNotFoundException} (collection missing and no dimension given), {@link StoreSchemaException}
 * (collection of another size, distance or vector layout), {@link StoreException} for other server
 * failures.
 */
public final class QdrantVectorStore implements VectorStore {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantVectorStore.class);

    /** Points per upsert / get / delete request. */
    static final int BATCH = 256;

    /** Points per scroll page when image bytes are fetched (pages stay a few MB). */
    static final int SCAN_BATCH_WITH_IMAGES = 64;

    /** Upper bound of one upsert request's estimated size. */
    static final long MAX_REQUEST_BYTES = 16L << 20;

    /** The oldest Qdrant 1.x minor version the store works with. */
    static final int MIN_SERVER_MINOR = 13;

    private static final Map<String, String> HNSW_PARAMS =
            Map.of(
                    "m", "edges per node (default 16)",
                    "ef_construct", "build-time candidate list (default 100)",
                    "full_scan_threshold",
                            "KB of vectors below which search is exact (default 10000)",
                    "on_disk", "keep the graph on disk (true/false)");

    private final QdrantGrpcClient client;
    private final QdrantSettings settings;
    private final QdrantRpc rpc;
    private final String collection;
    private final int dimension;
    private final AtomicBoolean closed = new AtomicBoolean();

    private QdrantVectorStore(
            QdrantGrpcClient client, QdrantSettings settings, String collection, int dimension) {
        this.client = client;
        this.settings = settings;
        this.rpc = new QdrantRpc(settings);
        this.collection = collection;
        this.dimension = dimension;
    }

    /**
     * A builder for a collection on the Qdrant server at {@code host}, gRPC {@code port} (usually
     * 6334; 6333 is the REST port). The same options as the {@code qdrant://HOST:PORT?...} store
     * URI, typed.
     *
     * <pre>{@code
     * try (VectorStore store = QdrantVectorStore.builder("localhost", 6334)
     *         .collection("image_search").apiKey(key).tls(true).dimension(512).open()) { ... }
     * }</pre>
     */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /**
     * Options of a Qdrant collection; {@link #open()} connects and opens it. Defaults: collection
     * {@code image_search}, no API key, plaintext, server-default shards and replicas, 30 s
     * deadline per request, 3 retries, image bytes stored, dimension 0 (take it from the existing
     * collection).
     */
    public static final class Builder {
        private final String host;
        private final int port;
        private String collection;
        private String apiKey;
        private boolean tls;
        private int shards;
        private int replicas;
        private Duration timeout = QdrantSettings.DEFAULT_TIMEOUT;
        private int retries = QdrantSettings.DEFAULT_RETRIES;
        private boolean storeImages = true;
        private int dimension;

        private Builder(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("Qdrant host must not be empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Qdrant port " + port + " is out of range");
            }
            this.host = host;
            this.port = port;
        }

        /** The collection name (default {@code image_search}). */
        public Builder collection(String collection) {
            checkCollectionName(Objects.requireNonNull(collection, "collection"));
            this.collection = collection;
            return this;
        }

        /** The server's API key, or null for none; never logged nor put into messages. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
            return this;
        }

        /** Whether to connect with TLS (needed with an API key outside a trusted network). */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** {@code shard_number} of a collection this store creates; 0: server default. */
        public Builder shards(int shards) {
            this.shards = range("shards", shards, 0, 1024);
            return this;
        }

        /** {@code replication_factor} of a collection this store creates; 0: server default. */
        public Builder replicas(int replicas) {
            this.replicas = range("replicas", replicas, 0, 64);
            return this;
        }

        /** The deadline of each request (default 30 s). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "Qdrant timeout must be at least 1 ms, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** How often a request that failed with UNAVAILABLE or DEADLINE_EXCEEDED is retried. */
        public Builder retries(int retries) {
            this.retries = range("retries", retries, 0, 20);
            return this;
        }

        /** {@code false} keeps image bytes out of Qdrant (hits and records then carry null). */
        public Builder storeImages(boolean storeImages) {
            this.storeImages = storeImages;
            return this;
        }

        /**
         * The vector dimension; the collection is created with it when absent, and an existing one
         * must have it ({@link StoreSchemaException} otherwise). 0 (default): the collection must
         * exist ({@link StoreNotFoundException} otherwise) and gives the dimension.
         */
        public Builder dimension(int dimension) {
            this.dimension = VectorChecks.checkOpenDimension(dimension);
            return this;
        }

        private static int range(String option, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        "Qdrant option "
                                + option
                                + " must be between "
                                + min
                                + " and "
                                + max
                                + ", got "
                                + value);
            }
            return value;
        }

        QdrantSettings settings() {
            return new QdrantSettings(
                    QdrantSettings.uriOf(
                            QdrantSettings.endpointOf(host, port),
                            collection,
                            apiKey != null,
                            tls,
                            shards,
                            replicas,
                            timeout,
                            retries,
                            storeImages),
                    host,
                    port,
                    collection,
                    apiKey,
                    tls,
                    shards,
                    replicas,
                    timeout,
                    retries,
                    storeImages);
        }

        /**
         * Connects and opens (creating when absent, if a dimension was given) the collection.
         *
         * @throws StoreUnavailableException when the server cannot be reached
         * @throws StoreAccessDeniedException when the server rejects the API key (or its absence)
         * @throws StoreNotFoundException when the collection does not exist and no dimension was
         *     given
         * @throws StoreSchemaException when the collection has another size, distance or layout
         */
        public VectorStore open() {
            return openTable(VectorStores.DEFAULT_TABLE);
        }

        /** Opens {@code table} unless a collection was set (the URI's table argument). */
        VectorStore openTable(String table) {
            QdrantSettings settings = settings();
            return QdrantVectorStore.open(
                    QdrantVectorStoreProvider.connect(settings), settings, table, dimension);
        }
    }

    /**
     * Opens (creating when absent) a collection. Takes ownership of {@code client}: closes it when
     * the store closes, or right away when opening fails.
     *
     * @param table the table name, used as the collection name unless the URI has {@code
     *     collection=}
     * @param dimension the vector dimension, or 0 to take it from the existing collection
     */
    static QdrantVectorStore open(
            QdrantGrpcClient client, QdrantSettings settings, String table, int dimension) {
        try {
            String collection = settings.collectionFor(Objects.requireNonNull(table, "table"));
            checkCollectionName(collection);
            VectorChecks.checkOpenDimension(dimension);
            QdrantRpc rpc = new QdrantRpc(settings);
            String version =
                    rpc.call(
                                    "health check",
                                    () ->
                                            client.qdrant()
                                                    .healthCheck(
                                                            HealthCheckRequest
                                                                    .getDefaultInstance()))
                            .getVersion();
            LOG.debug("Qdrant {} at {}", version, settings.endpoint());
            checkServerVersion(version, settings);
            boolean exists =
                    rpc.call(
                                    "check whether collection '" + collection + "' exists",
                                    () ->
                                            client.collections()
                                                    .collectionExists(
                                                            CollectionExistsRequest.newBuilder()
                                                                    .setCollectionName(collection)
                                                                    .build()))
                            .getResult()
                            .getExists();
            if (!exists) {
                if (dimension == 0) {
                    throw new StoreNotFoundException(
                            "Qdrant collection '"
                                    + collection
                                    + "' does not exist at "
                                    + settings.endpoint()
                                    + " ("
                                    + settings.uri()
                                    + "); open it with a vector dimension to create it, or check"
                                    + " the collection name");
                }
                create(client, settings, rpc, collection, dimension);
            }
            CollectionInfo info = collectionInfo(client, rpc, collection);
            int actual = checkVectorParams(info, settings, collection, dimension);
            QdrantVectorStore store = new QdrantVectorStore(client, settings, collection, actual);
            if (!info.getPayloadSchemaMap().containsKey(QdrantPayloads.LABEL)) {
                store.createLabelIndex();
            }
            LOG.debug(
                    "Opened Qdrant collection '{}' (dimension {}) at {}",
                    collection,
                    actual,
                    settings.endpoint());
            return store;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * The store uses the Query API (Qdrant 1.10+) and dense vectors in {@code Vector.dense}
     * (1.13+).
     */
    static void checkServerVersion(String version, QdrantSettings settings) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("^v?(\\d+)\\.(\\d+)").matcher(version);
        if (m.find()) {
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            if (major < 1 || (major == 1 && minor < MIN_SERVER_MINOR)) {
                throw new StoreException(
                        "Qdrant "
                                + version
                                + " at "
                                + settings.endpoint()
                                + " is too old: clip-search needs Qdrant 1."
                                + MIN_SERVER_MINOR
                                + " or newer");
            }
        } else {
            LOG.warn(
                    "Qdrant at {} reports an unrecognised version '{}'",
                    settings.endpoint(),
                    version);
        }
    }

    /** Qdrant collection names: 1-255 letters, digits, '_', '-' or '.'. */
    static void checkCollectionName(String name) {
        if (!name.matches("[A-Za-z0-9_.\\-]{1,255}")) {
            throw new IllegalArgumentException(
                    "Invalid Qdrant collection name '"
                            + name
                            + "': use 1-255 letters, digits, '_', '-' or '.'");
        }
    }

    private static void create(
            QdrantGrpcClient client,
            QdrantSettings settings,
            QdrantRpc rpc,
            String collection,
            int dimension) {
        CreateCollection.Builder create =
                CreateCollection.newBuilder()
                        .setCollectionName(collection)
                        .setVectorsConfig(
                                VectorsConfig.newBuilder()
                                        .setParams(
                                                VectorParams.newBuilder()
                                                        .setSize(dimension)
                                                        .setDistance(Distance.Cosine)))
                        .setOnDiskPayload(true);
        if (settings.shards() > 0) {
            create.setShardNumber(settings.shards());
        }
        if (settings.replicas() > 0) {
            create.setReplicationFactor(settings.replicas());
        }
        try {
            rpc.call(
                    "create collection '" + collection + "'",
                    () -> client.collections().create(create.build()));
            LOG.info(
                    "Created Qdrant collection '{}' (size {}, Cosine, shards {}, replicas {}) at {}",
                    collection,
                    dimension,
                    settings.shards() == 0 ? "default" : settings.shards(),
                    settings.replicas() == 0 ? "default" : settings.replicas(),
                    settings.endpoint());
        } catch (RuntimeException e) {
            // Another process created it between our exists check and create: fine, its parameters
            // are checked next.
            if (!(e.getCause() instanceof StatusRuntimeException sre
                    && alreadyExists(sre.getStatus()))) {
                throw e;
            }
        }
    }

    private static boolean alreadyExists(Status status) {
        return status.getCode() == Status.Code.ALREADY_EXISTS
                || (status.getDescription() != null
                        && status.getDescription().contains("already exists"));
    }

    private static CollectionInfo collectionInfo(
            QdrantGrpcClient client, QdrantRpc rpc, String collection) {
        return rpc.call(
                        "read collection '" + collection + "'",
                        () ->
                                client.collections()
                                        .get(
                                                GetCollectionInfoRequest.newBuilder()
                                                        .setCollectionName(collection)
                                                        .build()))
                .getResult();
    }

    /**
     * Checks that the collection has one unnamed Cosine vector of the expected size; returns its
     * size.
     */
    private static int checkVectorParams(
            CollectionInfo info, QdrantSettings settings, String collection, int dimension) {
        VectorsConfig config = info.getConfig().getParams().getVectorsConfig();
        if (!config.hasParams()) {
            throw new StoreSchemaException(
                    "Qdrant collection '"
                            + collection
                            + "' at "
                            + settings.endpoint()
                            + " uses named vectors "
                            + config.getParamsMap().getMapMap().keySet()
                            + "; clip-search needs a collection with one unnamed vector. Use another collection name");
        }
        VectorParams params = config.getParams();
        long size = params.getSize();
        Distance distance = params.getDistance();
        if ((dimension != 0 && size != dimension) || distance != Distance.Cosine) {
            throw new StoreSchemaException(
                    "Qdrant collection '"
                            + collection
                            + "' at "
                            + settings.endpoint()
                            + " has vectors of size "
                            + size
                            + " with distance "
                            + distance
                            + ", but this table needs size "
                            + (dimension == 0 ? size : dimension)
                            + " with distance Cosine. Use another collection "
                            + "name, or delete this one if it holds nothing you need");
        }
        return Math.toIntExact(size);
    }

    private void createLabelIndex() {
        rpc.call(
                "create payload index on 'label' of '" + collection + "'",
                () ->
                        client.points()
                                .createFieldIndex(
                                        CreateFieldIndexCollection.newBuilder()
                                                .setCollectionName(collection)
                                                .setWait(true)
                                                .setFieldName(QdrantPayloads.LABEL)
                                                .setFieldType(FieldType.FieldTypeInteger)
                                                .build()));
    }

    @Override
    public String tableName() {
        return collection;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public long count() {
        checkOpen();
        return rpc.call(
                        "count points of '" + collection + "'",
                        () ->
                                client.points()
                                        .count(
                                                CountPoints.newBuilder()
                                                        .setCollectionName(collection)
                                                        .setExact(true)
                                                        .build()))
                .getResult()
                .getCount();
    }

    @Override
    public void upsert(List<ImageRecord> records) {
        checkOpen();
        VectorChecks.checkBatch(records, dimension);
        List<PointStruct> chunk = new ArrayList<>();
        long chunkBytes = 0;
        int written = 0;
        for (ImageRecord r : records) {
            long size = QdrantPayloads.estimatedSize(r, settings.storeImages());
            if (!chunk.isEmpty()
                    && (chunk.size() == BATCH || chunkBytes + size > MAX_REQUEST_BYTES)) {
                written += sendUpsert(chunk, written, records.size());
                chunk = new ArrayList<>();
                chunkBytes = 0;
            }
            chunk.add(QdrantPayloads.toPoint(r, settings.storeImages()));
            chunkBytes += size;
        }
        if (!chunk.isEmpty()) {
            sendUpsert(chunk, written, records.size());
        }
    }

    private int sendUpsert(List<PointStruct> points, int done, int total) {
        UpsertPoints request =
                UpsertPoints.newBuilder()
                        .setCollectionName(collection)
                        .setWait(true)
                        .addAllPoints(points)
                        .build();
        String operation =
                "upsert of records "
                        + done
                        + ".."
                        + (done + points.size() - 1)
                        + " (of "
                        + total
                        + ") into '"
                        + collection
                        + "'";
        checkCompleted(operation, rpc.call(operation, () -> client.points().upsert(request)));
        return points.size();
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        checkOpen();
        VectorChecks.checkQuery(request, dimension);
        QueryPoints.Builder query =
                QueryPoints.newBuilder()
                        .setCollectionName(collection)
                        .setQuery(
                                Query.newBuilder()
                                        .setNearest(
                                                VectorInputFactory.vectorInput(request.vector())))
                        .setLimit(request.k())
                        .setWithPayload(QdrantPayloads.payloadSelector(request.includeImageBytes()))
                        .setWithVectors(WithVectorsSelector.newBuilder().setEnable(false));
        if (request.filter() != null) {
            query.setFilter(QdrantPayloads.toQdrant(request.filter()));
        }
        List<ScoredPoint> points =
                rpc.call(
                                "search in '" + collection + "'",
                                () -> client.points().query(query.build()))
                        .getResultList();
        List<SearchHit> hits = new ArrayList<>(points.size());
        for (ScoredPoint p : points) {
            Map<String, io.qdrant.client.grpc.JsonWithInt.Value> payload = p.getPayloadMap();
            hits.add(
                    new SearchHit(
                            QdrantPayloads.recordId(p.getId(), payload),
                            QdrantPayloads.label(payload),
                            p.getScore(),
                            request.includeImageBytes() ? QdrantPayloads.imageBytes(payload) : null,
                            QdrantPayloads.metadata(payload)));
        }
        return hits;
    }

    @Override
    public Optional<ImageRecord> get(String id) {
        checkOpen();
        Objects.requireNonNull(id, "id");
        List<RetrievedPoint> points =
                getPoints(
                        List.of(PointIds.pointIdFor(id)),
                        QdrantPayloads.payloadSelector(true),
                        true);
        return points.isEmpty()
                ? Optional.empty()
                : Optional.of(QdrantPayloads.toRecord(points.get(0)));
    }

    @Override
    public Set<String> existingIds(Collection<String> ids) {
        checkOpen();
        Map<String, String> byUuid = uuidsOf(ids);
        Set<String> found = new LinkedHashSet<>();
        for (List<PointId> chunk : chunks(byUuid.keySet())) {
            for (RetrievedPoint p :
                    getPoints(
                            chunk,
                            WithPayloadSelector.newBuilder().setEnable(false).build(),
                            false)) {
                found.add(byUuid.get(p.getId().getUuid()));
            }
        }
        return found;
    }

    @Override
    public long delete(Collection<String> ids) {
        checkOpen();
        Map<String, String> byUuid = uuidsOf(ids);
        long existed = 0;
        for (List<PointId> chunk : chunks(byUuid.keySet())) {
            List<PointId> present =
                    getPoints(
                                    chunk,
                                    WithPayloadSelector.newBuilder().setEnable(false).build(),
                                    false)
                            .stream()
                            .map(RetrievedPoint::getId)
                            .toList();
            if (present.isEmpty()) {
                continue;
            }
            String operation = "delete of " + present.size() + " points from '" + collection + "'";
            checkCompleted(
                    operation,
                    rpc.call(
                            operation,
                            () ->
                                    client.points()
                                            .delete(
                                                    DeletePoints.newBuilder()
                                                            .setCollectionName(collection)
                                                            .setWait(true)
                                                            .setPoints(
                                                                    QdrantPayloads.selector(
                                                                            present))
                                                            .build())));
            existed += present.size();
        }
        return existed;
    }

    @Override
    public void scan(boolean includeImageBytes, Consumer<ImageRecord> consumer) {
        checkOpen();
        Objects.requireNonNull(consumer, "consumer");
        int pageSize = includeImageBytes && settings.storeImages() ? SCAN_BATCH_WITH_IMAGES : BATCH;
        PointId offset = null;
        do {
            ScrollPoints.Builder scroll =
                    ScrollPoints.newBuilder()
                            .setCollectionName(collection)
                            .setLimit(pageSize)
                            .setWithPayload(QdrantPayloads.payloadSelector(includeImageBytes))
                            .setWithVectors(WithVectorsSelector.newBuilder().setEnable(true));
            if (offset != null) {
                scroll.setOffset(offset);
            }
            ScrollResponse page =
                    rpc.call(
                            "scroll through '" + collection + "'",
                            () -> client.points().scroll(scroll.build()));
            for (RetrievedPoint p : page.getResultList()) {
                ImageRecord r = QdrantPayloads.toRecord(p);
                consumer.accept(includeImageBytes ? r : r.withoutImageBytes());
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
    }

    /**
     * Qdrant's only vector index is HNSW, which it builds by itself in the background once a
     * segment passes the optimiser's indexing threshold. {@code AUTO} and {@code HNSW} set the
     * collection's HNSW parameters ({@code m}, {@code ef_construct}, {@code full_scan_threshold},
     * {@code on_disk}); Qdrant then rebuilds the graphs in the background (the call does not wait
     * for that). {@code NONE} sets {@code m=0}: no graph, every search is an exact full scan. The
     * IVF kinds do not exist in Qdrant and are refused.
     */
    @Override
    public void createIndex(IndexOptions options) {
        checkOpen();
        Objects.requireNonNull(options, "options");
        for (String key : options.params().keySet()) {
            if (!HNSW_PARAMS.containsKey(key) || options.type() == IndexOptions.IndexType.NONE) {
                throw new IllegalArgumentException(
                        "Unknown Qdrant index parameter '"
                                + key
                                + "' for "
                                + options.type()
                                + (options.type() == IndexOptions.IndexType.NONE
                                        ? " (NONE takes no parameters)"
                                        : "; known: " + new java.util.TreeMap<>(HNSW_PARAMS)));
            }
        }
        HnswConfigDiff.Builder hnsw = HnswConfigDiff.newBuilder();
        switch (options.type()) {
            case NONE -> hnsw.setM(0);
            case AUTO, HNSW -> {
                Map<String, String> p = options.params();
                hnsw.setM(positiveParam(p, "m", 16))
                        .setEfConstruct(positiveParam(p, "ef_construct", 100));
                if (p.containsKey("full_scan_threshold")) {
                    hnsw.setFullScanThreshold(positiveParam(p, "full_scan_threshold", 10_000));
                }
                if (p.containsKey("on_disk")) {
                    hnsw.setOnDisk(Boolean.parseBoolean(p.get("on_disk")));
                }
            }
            default ->
                    throw new IllegalArgumentException(
                            "Qdrant has no "
                                    + options.type()
                                    + " index; its vector index is HNSW: use IndexType.HNSW (or AUTO), or NONE for exact search");
        }
        rpc.call(
                "update index parameters of '" + collection + "'",
                () ->
                        client.collections()
                                .update(
                                        UpdateCollection.newBuilder()
                                                .setCollectionName(collection)
                                                .setHnswConfig(hnsw)
                                                .build()));
        LOG.info(
                "Set HNSW parameters of Qdrant collection '{}' to {}",
                collection,
                hnsw.build().toString().trim().replace('\n', ' '));
    }

    private static long positiveParam(Map<String, String> params, String key, long defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Qdrant index parameter '"
                            + key
                            + "' must be a non-negative integer, got '"
                            + v
                            + "'");
        }
    }

    @Override
    public TableInfo info() {
        checkOpen();
        CollectionInfo info = collectionInfo(client, rpc, collection);
        HnswConfigDiff hnsw = info.getConfig().getHnswConfig();
        String index;
        if (hnsw.hasM() && hnsw.getM() == 0) {
            index = "none (exact full scan, HNSW m=0)";
        } else {
            index =
                    "HNSW (m="
                            + (hnsw.hasM() ? hnsw.getM() : 16)
                            + ", ef_construct="
                            + (hnsw.hasEfConstruct() ? hnsw.getEfConstruct() : 100)
                            + (info.hasIndexedVectorsCount()
                                    ? ", " + info.getIndexedVectorsCount() + " vectors in graphs"
                                    : "")
                            + ")";
        }
        return new TableInfo(
                collection,
                count(),
                dimension,
                index,
                "qdrant://" + settings.endpoint() + "?collection=" + collection);
    }

    /** One get per 100 ids, with payloads (no image) and vectors. */
    @Override
    public Map<String, ImageRecord> getAll(Collection<String> ids) {
        checkOpen();
        Map<String, ImageRecord> found = new LinkedHashMap<>();
        for (List<PointId> chunk : chunks(uuidsOf(ids).keySet())) {
            for (RetrievedPoint p : getPoints(chunk, QdrantPayloads.payloadSelector(false), true)) {
                ImageRecord r = QdrantPayloads.toRecord(p);
                found.put(r.id(), r);
            }
        }
        return found;
    }

    /** Table metadata is the collection's metadata (Qdrant 1.16 and later), as strings. */
    @Override
    public Map<String, String> tableMetadata() {
        checkOpen();
        Map<String, String> out = new LinkedHashMap<>();
        collectionInfo(client, rpc, collection)
                .getConfig()
                .getMetadataMap()
                .forEach((k, v) -> out.put(k, v.getStringValue()));
        return out;
    }

    @Override
    public void putTableMetadata(Map<String, String> entries) {
        checkOpen();
        Map<String, String> checked = VectorChecks.checkTableMetadata(entries);
        if (checked.isEmpty()) {
            return;
        }
        UpdateCollection.Builder update =
                UpdateCollection.newBuilder().setCollectionName(collection);
        checked.forEach(
                (k, v) ->
                        update.putMetadata(
                                k,
                                io.qdrant.client.grpc.JsonWithInt.Value.newBuilder()
                                        .setStringValue(v)
                                        .build()));
        rpc.call(
                "update the metadata of collection '" + collection + "'",
                () -> client.collections().update(update.build()));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "QdrantVectorStore[" + collection + " at " + settings.endpoint() + "]";
    }

    /**
     * With wait=true Qdrant answers Completed once the change is applied (and visible to searches).
     */
    private void checkCompleted(String operation, PointsOperationResponse reply) {
        UpdateStatus status = reply.getResult().getStatus();
        if (status != UpdateStatus.Completed) {
            throw new StoreException(
                    "Qdrant at "
                            + settings.endpoint()
                            + " answered "
                            + status
                            + " to "
                            + operation
                            + " instead of Completed; the change may not be applied yet. Retry (upserts are idempotent) or raise "
                            + "the request timeout");
        }
    }

    private List<RetrievedPoint> getPoints(
            List<PointId> ids, WithPayloadSelector payload, boolean withVectors) {
        return rpc.call(
                        "get of " + ids.size() + " points from '" + collection + "'",
                        () ->
                                client.points()
                                        .get(
                                                GetPoints.newBuilder()
                                                        .setCollectionName(collection)
                                                        .addAllIds(ids)
                                                        .setWithPayload(payload)
                                                        .setWithVectors(
                                                                WithVectorsSelector.newBuilder()
                                                                        .setEnable(withVectors))
                                                        .build()))
                .getResultList();
    }

    private static Map<String, String> uuidsOf(Collection<String> ids) {
        Objects.requireNonNull(ids, "ids");
        Map<String, String> byUuid = new LinkedHashMap<>();
        for (String id : ids) {
            Objects.requireNonNull(id, "id in ids");
            byUuid.put(PointIds.uuidFor(id).toString(), id);
        }
        return byUuid;
    }

    private static List<List<PointId>> chunks(Collection<String> uuids) {
        List<List<PointId>> out = new ArrayList<>();
        List<PointId> chunk = new ArrayList<>();
        for (String uuid : uuids) {
            chunk.add(PointId.newBuilder().setUuid(uuid).build());
            if (chunk.size() == BATCH) {
                out.add(chunk);
                chunk = new ArrayList<>();
            }
        }
        if (!chunk.isEmpty()) {
            out.add(chunk);
        }
        return out;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(
                    "Qdrant store for collection '" + collection + "' is closed");
        }
    }
}
