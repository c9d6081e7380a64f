package dev.clipsearch.store.qdrant;

import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Common;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.PointsGrpc;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A Qdrant server in the test JVM: the gRPC protocol of Qdrant (the service base classes the client
 * jar ships) over an in-process transport or a Netty server on 127.0.0.1. It implements what {@code
 * QdrantVectorStore} uses, with Qdrant's semantics where they matter: collections with one unnamed
 * vector, Cosine vectors normalised on upsert, exact cosine scoring, payload filters ({@code
 * must}/{@code should}/{@code must_not}, keyword and integer matches on dotted payload paths),
 * scroll pagination by point id, {@code api-key} header checks (the health check is exempt, as in
 * Qdrant) and injected failures.
 *
 * <p>Vectors are read in both the {@code Vector.dense} form and the older {@code Vector.data} form.
 */
final class QdrantProtocolFake implements AutoCloseable {

    /** The version the health check reports. */
    static final String VERSION = "1.15.0-fake";

    private static final Metadata.Key<String> API_KEY =
            Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);

    private final Map<String, FakeCollection> collections = new ConcurrentHashMap<>();
    private final String apiKey;
    private final String inProcessName;
    private final Server server;
    private final AtomicInteger failuresToInject = new AtomicInteger();
    private volatile Status.Code injectedFailure = Status.Code.UNAVAILABLE;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger upsertRequests = new AtomicInteger();
    private final AtomicInteger maxPointsPerUpsert = new AtomicInteger();

    private QdrantProtocolFake(String apiKey, boolean loopback) throws IOException {
        this.apiKey = apiKey;
        List<io.grpc.ServerServiceDefinition> services =
                List.of(
                        ServerInterceptors.intercept(new QdrantService(), new Guard()),
                        ServerInterceptors.intercept(new CollectionsService(), new Guard()),
                        ServerInterceptors.intercept(new PointsService(), new Guard()));
        if (loopback) {
            inProcessName = null;
            NettyServerBuilder builder =
                    NettyServerBuilder.forAddress(
                                    new InetSocketAddress("127.0.0.1", 0),
                                    InsecureServerCredentials.create())
                            .maxInboundMessageSize(64 << 20);
            services.forEach(builder::addService);
            server = builder.build().start();
        } else {
            inProcessName = "qdrant-fake-" + UUID.randomUUID();
            InProcessServerBuilder builder = InProcessServerBuilder.forName(inProcessName);
            services.forEach(builder::addService);
            server = builder.build().start();
        }
    }

    /**
     * A fake reachable through {@link #inProcessChannel()}; {@code apiKey} null accepts every
     * request.
     */
    static QdrantProtocolFake inProcess(String apiKey) {
        try {
            return new QdrantProtocolFake(apiKey, false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fake listening on 127.0.0.1:{@link #port()}. */
    static QdrantProtocolFake onLoopback(String apiKey) throws IOException {
        return new QdrantProtocolFake(apiKey, true);
    }

    /** A new channel to the in-process fake. */
    ManagedChannel inProcessChannel() {
        return InProcessChannelBuilder.forName(
                        Objects.requireNonNull(inProcessName, "not an in-process fake"))
                .build();
    }

    /** The loopback port. */
    int port() {
        return server.getPort();
    }

    /** Makes the next {@code n} calls (health checks included) fail with {@code code}. */
    void failNext(int n, Status.Code code) {
        injectedFailure = code;
        failuresToInject.set(n);
    }

    /** How many calls reached the fake (after the API key check). */
    int calls() {
        return calls.get();
    }

    int upsertRequests() {
        return upsertRequests.get();
    }

    int maxPointsPerUpsert() {
        return maxPointsPerUpsert.get();
    }

    /** Whether a collection exists. */
    boolean hasCollection(String name) {
        return collections.containsKey(name);
    }

    /** Creates a collection directly (as another tool would), for mismatch tests. */
    void createCollection(String name, long size, Collections.Distance distance) {
        collections.put(
                name,
                new FakeCollection(
                        VectorParams.newBuilder().setSize(size).setDistance(distance).build(),
                        1,
                        1));
    }

    /** The shard number and replication factor a collection was created with. */
    int[] shardsAndReplicas(String name) {
        FakeCollection c = collections.get(name);
        return new int[] {c.shards, c.replicas};
    }

    /** The raw payload of a point, or null. */
    Map<String, Value> payloadOf(String collection, PointId id) {
        FakeCollection c = collections.get(collection);
        synchronized (c) {
            StoredPoint p = c.points.get(key(id));
            return p == null ? null : p.payload;
        }
    }

    /** The current HNSW config of a collection. */
    HnswConfigDiff hnswOf(String collection) {
        FakeCollection c = collections.get(collection);
        synchronized (c) {
            return c.hnsw;
        }
    }

    void deleteAllCollections() {
        collections.clear();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ state

    private record StoredPoint(PointId id, float[] vector, Map<String, Value> payload) {}

    private static final class FakeCollection {
        final VectorParams params;
        final int shards;
        final int replicas;
        HnswConfigDiff hnsw =
                HnswConfigDiff.newBuilder()
                        .setM(16)
                        .setEfConstruct(100)
                        .setFullScanThreshold(10_000)
                        .build();
        final Map<String, PayloadSchemaType> payloadSchema = new TreeMap<>();
        final Map<String, Value> metadata = new TreeMap<>();
        final TreeMap<String, StoredPoint> points = new TreeMap<>();

        FakeCollection(VectorParams params, int shards, int replicas) {
            this.params = params;
            this.shards = shards;
            this.replicas = replicas;
        }
    }

    /**
     * Scroll order: numeric ids first (by value), then UUIDs (by string), like Qdrant's id order.
     */
    private static String key(PointId id) {
        if (id.hasNum()) {
            return "0:" + String.format("%020d", id.getNum());
        }
        if (id.hasUuid()) {
            return "1:" + UUID.fromString(id.getUuid());
        }
        throw invalid("Point id is empty");
    }

    private FakeCollection collection(String name) {
        FakeCollection c = collections.get(name);
        if (c == null) {
            throw Status.NOT_FOUND
                    .withDescription("Not found: Collection `" + name + "` doesn't exist!")
                    .asRuntimeException();
        }
        return c;
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT
                .withDescription("Wrong input: " + message)
                .asRuntimeException();
    }

    // ------------------------------------------------------------------ request guard

    /** Checks the api-key header (the health check is exempt) and injects failures. */
    private final class Guard implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                call.close(
                        Status.fromCode(injectedFailure).withDescription("injected failure"),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
            boolean health =
                    call.getMethodDescriptor()
                            .getFullMethodName()
                            .equals("qdrant.Qdrant/HealthCheck");
            if (apiKey != null && !health && !apiKey.equals(headers.get(API_KEY))) {
                call.close(
                        Status.UNAUTHENTICATED.withDescription("Invalid api-key"), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            calls.incrementAndGet();
            return next.startCall(call, headers);
        }
    }

    /** Answers one unary call, turning a StatusRuntimeException into the call's status. */
    private static <T> void answer(StreamObserver<T> observer, Supplier<T> reply) {
        T value;
        try {
            value = reply.get();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(value);
        observer.onCompleted();
    }

    // ------------------------------------------------------------------ services

    private final class QdrantService extends QdrantGrpc.QdrantImplBase {
        @Override
        public void healthCheck(
                HealthCheckRequest request, StreamObserver<HealthCheckReply> observer) {
            answer(
                    observer,
                    () ->
                            HealthCheckReply.newBuilder()
                                    .setTitle("qdrant - vector search engine (fake)")
                                    .setVersion(VERSION)
                                    .build());
        }
    }

    private final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {
        @Override
        public void get(
                Collections.GetCollectionInfoRequest request,
                StreamObserver<Collections.GetCollectionInfoResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        synchronized (c) {
                            CollectionInfo.Builder info =
                                    CollectionInfo.newBuilder()
                                            .setStatus(Collections.CollectionStatus.Green)
                                            .setPointsCount(c.points.size())
                                            .setIndexedVectorsCount(0)
                                            .setSegmentsCount(1)
                                            .setConfig(
                                                    Collections.CollectionConfig.newBuilder()
                                                            .setParams(
                                                                    Collections.CollectionParams
                                                                            .newBuilder()
                                                                            .setShardNumber(
                                                                                    c.shards)
                                                                            .setReplicationFactor(
                                                                                    c.replicas)
                                                                            .setOnDiskPayload(true)
                                                                            .setVectorsConfig(
                                                                                    Collections
                                                                                            .VectorsConfig
                                                                                            .newBuilder()
                                                                                            .setParams(
                                                                                                    c.params)))
                                                            .setHnswConfig(c.hnsw)
                                                            .putAllMetadata(c.metadata));
                            c.payloadSchema.forEach(
                                    (field, type) ->
                                            info.putPayloadSchema(
                                                    field,
                                                    PayloadSchemaInfo.newBuilder()
                                                            .setDataType(type)
                                                            .setPoints(c.points.size())
                                                            .build()));
                            return Collections.GetCollectionInfoResponse.newBuilder()
                                    .setResult(info)
                                    .build();
                        }
                    });
        }

        @Override
        public void list(
                Collections.ListCollectionsRequest request,
                StreamObserver<Collections.ListCollectionsResponse> observer) {
            answer(
                    observer,
                    () -> {
                        Collections.ListCollectionsResponse.Builder reply =
                                Collections.ListCollectionsResponse.newBuilder();
                        new TreeMap<>(collections)
                                .keySet()
                                .forEach(
                                        name ->
                                                reply.addCollections(
                                                        Collections.CollectionDescription
                                                                .newBuilder()
                                                                .setName(name)));
                        return reply.build();
                    });
        }

        @Override
        public void collectionExists(
                Collections.CollectionExistsRequest request,
                StreamObserver<Collections.CollectionExistsResponse> observer) {
            answer(
                    observer,
                    () ->
                            Collections.CollectionExistsResponse.newBuilder()
                                    .setResult(
                                            Collections.CollectionExists.newBuilder()
                                                    .setExists(
                                                            collections.containsKey(
                                                                    request.getCollectionName())))
                                    .build());
        }

        @Override
        public void create(
                Collections.CreateCollection request,
                StreamObserver<CollectionOperationResponse> observer) {
            answer(
                    observer,
                    () -> {
                        if (!request.getVectorsConfig().hasParams()) {
                            throw invalid("fake supports one unnamed vector per collection only");
                        }
                        VectorParams params = request.getVectorsConfig().getParams();
                        if (params.getSize() == 0
                                || params.getDistance() == Collections.Distance.UnknownDistance) {
                            throw invalid("vector size and distance are required");
                        }
                        FakeCollection c =
                                new FakeCollection(
                                        params,
                                        request.hasShardNumber() ? request.getShardNumber() : 1,
                                        request.hasReplicationFactor()
                                                ? request.getReplicationFactor()
                                                : 1);
                        if (collections.putIfAbsent(request.getCollectionName(), c) != null) {
                            throw invalid(
                                    "Collection `"
                                            + request.getCollectionName()
                                            + "` already exists!");
                        }
                        return CollectionOperationResponse.newBuilder().setResult(true).build();
                    });
        }

        @Override
        public void update(
                Collections.UpdateCollection request,
                StreamObserver<CollectionOperationResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        synchronized (c) {
                            if (request.hasHnswConfig()) {
                                c.hnsw =
                                        c.hnsw.toBuilder()
                                                .mergeFrom(request.getHnswConfig())
                                                .build();
                            }
                            c.metadata.putAll(request.getMetadataMap());
                        }
                        return CollectionOperationResponse.newBuilder().setResult(true).build();
                    });
        }

        @Override
        public void delete(
                Collections.DeleteCollection request,
                StreamObserver<CollectionOperationResponse> observer) {
            answer(
                    observer,
                    () ->
                            CollectionOperationResponse.newBuilder()
                                    .setResult(
                                            collections.remove(request.getCollectionName()) != null)
                                    .build());
        }
    }

    private final class PointsService extends PointsGrpc.PointsImplBase {
        @Override
        public void upsert(
                Points.UpsertPoints request,
                StreamObserver<Points.PointsOperationResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        upsertRequests.incrementAndGet();
                        maxPointsPerUpsert.accumulateAndGet(request.getPointsCount(), Math::max);
                        List<StoredPoint> parsed = new ArrayList<>();
                        for (PointStruct p : request.getPointsList()) {
                            float[] v = vectorOf(p);
                            if (v.length != c.params.getSize()) {
                                throw invalid(
                                        "Vector dimension error: expected dim: "
                                                + c.params.getSize()
                                                + ", got "
                                                + v.length);
                            }
                            parsed.add(
                                    new StoredPoint(
                                            p.getId(),
                                            c.params.getDistance() == Collections.Distance.Cosine
                                                    ? normalize(v)
                                                    : v,
                                            Map.copyOf(p.getPayloadMap())));
                        }
                        synchronized (c) {
                            parsed.forEach(p -> c.points.put(key(p.id()), p));
                        }
                        return operationDone();
                    });
        }

        @Override
        public void delete(
                Points.DeletePoints request,
                StreamObserver<Points.PointsOperationResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        synchronized (c) {
                            Points.PointsSelector selector = request.getPoints();
                            if (selector.hasPoints()) {
                                selector.getPoints()
                                        .getIdsList()
                                        .forEach(id -> c.points.remove(key(id)));
                            } else if (selector.hasFilter()) {
                                c.points.values().removeIf(p -> matches(selector.getFilter(), p));
                            } else {
                                throw invalid("points selector is empty");
                            }
                        }
                        return operationDone();
                    });
        }

        @Override
        public void get(Points.GetPoints request, StreamObserver<Points.GetResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        Points.GetResponse.Builder reply = Points.GetResponse.newBuilder();
                        synchronized (c) {
                            for (PointId id : request.getIdsList()) {
                                StoredPoint p = c.points.get(key(id));
                                if (p != null) {
                                    reply.addResult(
                                            retrieved(
                                                    p,
                                                    request.getWithPayload(),
                                                    request.getWithVectors()));
                                }
                            }
                        }
                        return reply.build();
                    });
        }

        @Override
        public void query(
                Points.QueryPoints request, StreamObserver<Points.QueryResponse> observer) {
            answer(
                    observer,
                    () -> {
                        if (!request.hasQuery()
                                || !request.getQuery().hasNearest()
                                || request.getPrefetchCount() > 0) {
                            throw Status.UNIMPLEMENTED
                                    .withDescription("fake supports only nearest-vector queries")
                                    .asRuntimeException();
                        }
                        Points.VectorInput input = request.getQuery().getNearest();
                        if (!input.hasDense()) {
                            throw Status.UNIMPLEMENTED
                                    .withDescription("fake supports only dense query vectors")
                                    .asRuntimeException();
                        }
                        List<ScoredPoint> hits =
                                nearest(
                                        request.getCollectionName(),
                                        toArray(input.getDense().getDataList()),
                                        request.hasFilter() ? request.getFilter() : null,
                                        request.hasLimit() ? request.getLimit() : 10,
                                        request.getWithPayload(),
                                        request.getWithVectors());
                        return Points.QueryResponse.newBuilder().addAllResult(hits).build();
                    });
        }

        @Override
        public void search(
                Points.SearchPoints request, StreamObserver<Points.SearchResponse> observer) {
            answer(
                    observer,
                    () ->
                            Points.SearchResponse.newBuilder()
                                    .addAllResult(
                                            nearest(
                                                    request.getCollectionName(),
                                                    toArray(request.getVectorList()),
                                                    request.hasFilter()
                                                            ? request.getFilter()
                                                            : null,
                                                    request.getLimit(),
                                                    request.getWithPayload(),
                                                    request.getWithVectors()))
                                    .build());
        }

        @Override
        public void scroll(
                Points.ScrollPoints request, StreamObserver<Points.ScrollResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        int limit = request.hasLimit() ? request.getLimit() : 10;
                        Points.ScrollResponse.Builder reply = Points.ScrollResponse.newBuilder();
                        synchronized (c) {
                            Map<String, StoredPoint> from =
                                    request.hasOffset()
                                            ? c.points.tailMap(key(request.getOffset()), true)
                                            : c.points;
                            int n = 0;
                            for (StoredPoint p : from.values()) {
                                if (request.hasFilter() && !matches(request.getFilter(), p)) {
                                    continue;
                                }
                                if (n == limit) {
                                    reply.setNextPageOffset(p.id());
                                    break;
                                }
                                reply.addResult(
                                        retrieved(
                                                p,
                                                request.getWithPayload(),
                                                request.getWithVectors()));
                                n++;
                            }
                        }
                        return reply.build();
                    });
        }

        @Override
        public void count(
                Points.CountPoints request, StreamObserver<Points.CountResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        long n;
                        synchronized (c) {
                            n =
                                    request.hasFilter()
                                            ? c.points.values().stream()
                                                    .filter(p -> matches(request.getFilter(), p))
                                                    .count()
                                            : c.points.size();
                        }
                        return Points.CountResponse.newBuilder()
                                .setResult(Points.CountResult.newBuilder().setCount(n))
                                .build();
                    });
        }

        @Override
        public void createFieldIndex(
                Points.CreateFieldIndexCollection request,
                StreamObserver<Points.PointsOperationResponse> observer) {
            answer(
                    observer,
                    () -> {
                        FakeCollection c = collection(request.getCollectionName());
                        PayloadSchemaType type =
                                switch (request.getFieldType()) {
                                    case FieldTypeKeyword -> PayloadSchemaType.Keyword;
                                    case FieldTypeInteger -> PayloadSchemaType.Integer;
                                    case FieldTypeFloat -> PayloadSchemaType.Float;
                                    case FieldTypeBool -> PayloadSchemaType.Bool;
                                    default ->
                                            throw Status.UNIMPLEMENTED
                                                    .withDescription(
                                                            "fake: field type "
                                                                    + request.getFieldType())
                                                    .asRuntimeException();
                                };
                        synchronized (c) {
                            c.payloadSchema.put(request.getFieldName(), type);
                        }
                        return operationDone();
                    });
        }
    }

    // ------------------------------------------------------------------ search, filters, payloads

    private List<ScoredPoint> nearest(
            String collectionName,
            float[] query,
            Common.Filter filter,
            long limit,
            WithPayloadSelector withPayload,
            WithVectorsSelector withVectors) {
        FakeCollection c = collection(collectionName);
        if (query.length != c.params.getSize()) {
            throw invalid(
                    "Vector dimension error: expected dim: "
                            + c.params.getSize()
                            + ", got "
                            + query.length);
        }
        float[] q = normalize(query);
        record Scored(StoredPoint point, float score) {}
        List<Scored> scored = new ArrayList<>();
        synchronized (c) {
            for (StoredPoint p : c.points.values()) {
                if (filter == null || matches(filter, p)) {
                    double dot = 0;
                    for (int i = 0; i < q.length; i++) {
                        dot += (double) q[i] * p.vector()[i];
                    }
                    scored.add(new Scored(p, (float) dot));
                }
            }
        }
        scored.sort(Comparator.comparingDouble((Scored s) -> s.score()).reversed());
        List<ScoredPoint> out = new ArrayList<>();
        for (Scored s : scored.subList(0, (int) Math.min(limit, scored.size()))) {
            RetrievedPoint r = retrieved(s.point(), withPayload, withVectors);
            ScoredPoint.Builder hit =
                    ScoredPoint.newBuilder()
                            .setId(r.getId())
                            .putAllPayload(r.getPayloadMap())
                            .setScore(s.score());
            if (r.hasVectors()) {
                hit.setVectors(r.getVectors());
            }
            out.add(hit.build());
        }
        return out;
    }

    private static RetrievedPoint retrieved(
            StoredPoint p, WithPayloadSelector withPayload, WithVectorsSelector withVectors) {
        RetrievedPoint.Builder out = RetrievedPoint.newBuilder().setId(p.id());
        switch (withPayload.getSelectorOptionsCase()) {
            case ENABLE -> {
                if (withPayload.getEnable()) {
                    out.putAllPayload(p.payload());
                }
            }
            case INCLUDE ->
                    withPayload
                            .getInclude()
                            .getFieldsList()
                            .forEach(
                                    f -> {
                                        if (p.payload().containsKey(f)) {
                                            out.putPayload(f, p.payload().get(f));
                                        }
                                    });
            case EXCLUDE -> {
                Map<String, Value> kept = new LinkedHashMap<>(p.payload());
                withPayload.getExclude().getFieldsList().forEach(kept::remove);
                out.putAllPayload(kept);
            }
            default -> {}
        }
        if (withVectors.getSelectorOptionsCase() == WithVectorsSelector.SelectorOptionsCase.ENABLE
                && withVectors.getEnable()) {
            Points.DenseVector.Builder dense = Points.DenseVector.newBuilder();
            for (float x : p.vector()) {
                dense.addData(x);
            }
            out.setVectors(
                    Points.VectorsOutput.newBuilder()
                            .setVector(Points.VectorOutput.newBuilder().setDense(dense)));
        }
        return out.build();
    }

    /** Qdrant's filter semantics: every must, at least one should (when any), no must_not. */
    private static boolean matches(Common.Filter filter, StoredPoint p) {
        if (filter.hasMinShould()) {
            throw Status.UNIMPLEMENTED.withDescription("fake: min_should").asRuntimeException();
        }
        for (Condition c : filter.getMustList()) {
            if (!matches(c, p)) {
                return false;
            }
        }
        for (Condition c : filter.getMustNotList()) {
            if (matches(c, p)) {
                return false;
            }
        }
        if (filter.getShouldCount() > 0) {
            return filter.getShouldList().stream().anyMatch(c -> matches(c, p));
        }
        return true;
    }

    private static boolean matches(Condition condition, StoredPoint p) {
        switch (condition.getConditionOneOfCase()) {
            case FILTER:
                return matches(condition.getFilter(), p);
            case HAS_ID:
                return condition.getHasId().getHasIdList().stream()
                        .anyMatch(id -> key(id).equals(key(p.id())));
            case FIELD:
                FieldCondition field = condition.getField();
                if (!field.hasMatch()) {
                    throw Status.UNIMPLEMENTED
                            .withDescription("fake: field conditions other than match")
                            .asRuntimeException();
                }
                List<Value> values = valuesAt(p.payload(), field.getKey());
                return values.stream().anyMatch(v -> matches(field.getMatch(), v));
            default:
                throw Status.UNIMPLEMENTED
                        .withDescription("fake: condition " + condition.getConditionOneOfCase())
                        .asRuntimeException();
        }
    }

    private static boolean matches(Match match, Value v) {
        return switch (match.getMatchValueCase()) {
            case KEYWORD -> v.hasStringValue() && v.getStringValue().equals(match.getKeyword());
            case KEYWORDS ->
                    v.hasStringValue()
                            && match.getKeywords().getStringsList().contains(v.getStringValue());
            case INTEGER -> v.hasIntegerValue() && v.getIntegerValue() == match.getInteger();
            case INTEGERS ->
                    v.hasIntegerValue()
                            && match.getIntegers().getIntegersList().contains(v.getIntegerValue());
            case BOOLEAN -> v.hasBoolValue() && v.getBoolValue() == match.getBoolean();
            default ->
                    throw Status.UNIMPLEMENTED
                            .withDescription("fake: match " + match.getMatchValueCase())
                            .asRuntimeException();
        };
    }

    /** The values at a dotted payload path; arrays contribute each element (Qdrant matches any). */
    private static List<Value> valuesAt(Map<String, Value> payload, String path) {
        List<Value> current = new ArrayList<>();
        String[] parts = path.split("\\.");
        Value root = payload.get(parts[0]);
        if (root == null) {
            return List.of();
        }
        current.add(root);
        for (int i = 1; i < parts.length; i++) {
            List<Value> next = new ArrayList<>();
            for (Value v : flatten(current)) {
                if (v.hasStructValue() && v.getStructValue().containsFields(parts[i])) {
                    next.add(v.getStructValue().getFieldsOrThrow(parts[i]));
                }
            }
            current = next;
        }
        return flatten(current);
    }

    private static List<Value> flatten(List<Value> values) {
        List<Value> out = new ArrayList<>();
        for (Value v : values) {
            if (v.hasListValue()) {
                out.addAll(v.getListValue().getValuesList());
            } else {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * The unnamed dense vector of a point, from {@code Vector.dense} or the older {@code
     * Vector.data}.
     */
    @SuppressWarnings("deprecation")
    private static float[] vectorOf(PointStruct p) {
        if (!p.hasVectors() || !p.getVectors().hasVector()) {
            throw invalid(
                    "fake supports one unnamed vector per point; point " + p.getId() + " has none");
        }
        Points.Vector v = p.getVectors().getVector();
        if (v.hasDense()) {
            return toArray(v.getDense().getDataList());
        }
        if (v.getDataCount() > 0) {
            return toArray(v.getDataList());
        }
        throw invalid("point " + p.getId() + " has an empty or non-dense vector");
    }

    private static float[] toArray(List<Float> data) {
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i);
        }
        return out;
    }

    private static float[] normalize(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        double n = Math.sqrt(s);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length && n > 0; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    private static Points.PointsOperationResponse operationDone() {
        return Points.PointsOperationResponse.newBuilder()
                .setResult(
                        Points.UpdateResult.newBuilder().setStatus(Points.UpdateStatus.Completed))
                .build();
    }
}
