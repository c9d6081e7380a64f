package dev.clipsearch.store.qdrant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipsearch.store.Filter;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.IndexOptions.IndexType;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreException;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.StoreSchemaException;
import dev.clipsearch.store.StoreUnavailableException;
import dev.clipsearch.store.TestVectors;
import dev.clipsearch.store.VectorStore;
import io.grpc.Status;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Qdrant-specific behaviour, against {@link QdrantProtocolFake} in process. */
class QdrantVectorStoreTest {

    private static final int DIM = 8;

    private QdrantProtocolFake fake;
    private final List<VectorStore> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        fake = QdrantProtocolFake.inProcess(null);
    }

    @AfterEach
    void stop() throws InterruptedException {
        opened.forEach(VectorStore::close);
        fake.close();
    }

    private VectorStore open(String query, String table, int dimension) {
        VectorStore s = QdrantTestSupport.openInProcess(fake, query, table, dimension);
        opened.add(s);
        return s;
    }

    private static List<ImageRecord> records(int n) {
        return TestVectors.records(
                "img", TestVectors.clustered(new Random(n), n, DIM, 3, 0.5), 4, true);
    }

    @Test
    void createsTheCollectionWithShardsReplicasAndLabelIndex() {
        VectorStore store = open("collection=photos&shards=3&replicas=2", "image_search", DIM);
        assertEquals("photos", store.tableName(), "collection parameter overrides the table name");
        assertTrue(fake.hasCollection("photos"));
        assertFalse(fake.hasCollection("image_search"));
        assertArrayEquals(new int[] {3, 2}, fake.shardsAndReplicas("photos"));
        assertTrue(store.info().location().contains("collection=photos"), store.info().location());
        try (QdrantGrpcClient c =
                QdrantGrpcClient.newBuilder(fake.inProcessChannel(), true, false).build()) {
            var info =
                    c.collections()
                            .get(
                                    io.qdrant.client.grpc.Collections.GetCollectionInfoRequest
                                            .newBuilder()
                                            .setCollectionName("photos")
                                            .build())
                            .get()
                            .getResult();
            assertEquals(
                    io.qdrant.client.grpc.Collections.PayloadSchemaType.Integer,
                    info.getPayloadSchemaMap().get("label").getDataType());
            assertEquals(
                    Distance.Cosine,
                    info.getConfig().getParams().getVectorsConfig().getParams().getDistance());
            assertEquals(
                    DIM, info.getConfig().getParams().getVectorsConfig().getParams().getSize());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void payloadLayoutAndDeterministicPointIds() {
        VectorStore store = open("", "layout", DIM);
        ImageRecord r =
                new ImageRecord(
                        "photo/1.jpg",
                        17,
                        new byte[] {0, 1, (byte) 0xFF},
                        TestVectors.randomUnit(new Random(1), DIM),
                        Map.of("source", "camera"));
        store.upsert(List.of(r));
        PointId id =
                PointId.newBuilder().setUuid(PointIds.uuidFor("photo/1.jpg").toString()).build();
        Map<String, Value> payload = fake.payloadOf("layout", id);
        assertEquals("photo/1.jpg", payload.get("id").getStringValue());
        assertEquals(17, payload.get("label").getIntegerValue());
        assertEquals(
                "camera",
                payload.get("metadata")
                        .getStructValue()
                        .getFieldsOrThrow("source")
                        .getStringValue());
        assertArrayEquals(
                r.imageBytes(),
                Base64.getDecoder().decode(payload.get("image_b64").getStringValue()));
    }

    @Test
    void storeImagesFalseKeepsBytesOut() {
        VectorStore store = open("store_images=false", "no_images", DIM);
        List<ImageRecord> records = records(20);
        store.upsert(records);
        assertFalse(
                fake.payloadOf("no_images", PointIds.pointIdFor("img0")).containsKey("image_b64"));
        assertNull(store.get("img0").orElseThrow().imageBytes());
        for (SearchHit h :
                store.search(SearchRequest.of(records.get(0).vector(), 5).withImageBytes())) {
            assertNull(h.imageBytes());
            assertEquals(
                    records.get(Integer.parseInt(h.id().substring(3))).metadata(), h.metadata());
        }
        List<ImageRecord> scanned = new ArrayList<>();
        store.scan(true, scanned::add);
        assertEquals(20, scanned.size());
        assertTrue(scanned.stream().allMatch(x -> x.imageBytes() == null));
    }

    @Test
    void upsertsAreChunked() {
        VectorStore store = open("", "chunks", DIM);
        store.upsert(records(600));
        assertEquals(3, fake.upsertRequests());
        assertEquals(QdrantVectorStore.BATCH, fake.maxPointsPerUpsert());
        assertEquals(600, store.count());
    }

    @Test
    void getAndScanReturnUnitVectorsInTheStoredDirection() {
        VectorStore store = open("", "norm", 3);
        store.upsert(List.of(new ImageRecord("a", 0, null, new float[] {3, 4, 0})));
        assertArrayEquals(
                new float[] {0.6f, 0.8f, 0f}, store.get("a").orElseThrow().vector(), 1e-6f);
    }

    @Test
    void existingCollectionWithOtherSizeOrDistanceIsRefused() {
        fake.createCollection("other_tool", 64, Distance.Dot);
        StoreSchemaException e =
                assertThrows(StoreSchemaException.class, () -> open("", "other_tool", DIM));
        for (String part : List.of("other_tool", "64", "Dot", String.valueOf(DIM), "Cosine")) {
            assertTrue(e.getMessage().contains(part), part + " missing in: " + e.getMessage());
        }
        fake.createCollection("euclid", DIM, Distance.Euclid);
        e = assertThrows(StoreSchemaException.class, () -> open("", "euclid", DIM));
        assertTrue(
                e.getMessage().contains("Euclid") && e.getMessage().contains("Cosine"),
                e.getMessage());
        e = assertThrows(StoreSchemaException.class, () -> open("", "euclid", 0));
        assertTrue(e.getMessage().contains("Euclid"), e.getMessage());
    }

    @Test
    void dimensionZeroNeedsAnExistingCollection() {
        StoreNotFoundException e =
                assertThrows(StoreNotFoundException.class, () -> open("", "missing", 0));
        assertTrue(e.getMessage().contains("'missing' does not exist"), e.getMessage());
        assertFalse(fake.hasCollection("missing"));
        assertThrows(IllegalArgumentException.class, () -> open("", "neg", -1));
        assertThrows(IllegalArgumentException.class, () -> open("", "bad/name", DIM));
    }

    @Test
    void transientFailuresAreRetried() {
        VectorStore store = open("retries=3", "retry", DIM);
        store.upsert(records(10));
        fake.failNext(2, Status.Code.UNAVAILABLE);
        assertEquals(10, store.count());
        fake.failNext(1, Status.Code.DEADLINE_EXCEEDED);
        assertEquals(3, store.search(records(10).get(0).vector(), 3).size());
        fake.failNext(4, Status.Code.UNAVAILABLE);
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, store::count);
        assertTrue(e.getMessage().contains("unreachable at in-process:6334"), e.getMessage());
        assertTrue(e.getMessage().contains("4 attempt"), e.getMessage());
        assertEquals(10, store.count(), "works again once the server is back");
    }

    @Test
    void otherFailuresAreNotRetried() {
        VectorStore store = open("retries=3", "noretry", DIM);
        int before = fake.calls();
        fake.failNext(1, Status.Code.INTERNAL);
        StoreException e = assertThrows(StoreException.class, store::count);
        assertTrue(e.getMessage().contains("INTERNAL"), e.getMessage());
        assertEquals(before, fake.calls(), "an INTERNAL error is not retried");
        for (Status.Code code :
                List.of(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED)) {
            int calls = fake.calls();
            fake.failNext(1, code);
            StoreAccessDeniedException denied =
                    assertThrows(StoreAccessDeniedException.class, store::count);
            assertTrue(denied.getMessage().contains(code.name()), denied.getMessage());
            assertTrue(denied.getMessage().contains("API key"), denied.getMessage());
            assertEquals(calls, fake.calls(), code + " is not retried");
        }
        fake.failNext(4, Status.Code.DEADLINE_EXCEEDED);
        StoreUnavailableException slow =
                assertThrows(StoreUnavailableException.class, store::count);
        assertTrue(slow.getMessage().contains("did not answer"), slow.getMessage());
        fake.failNext(1, Status.Code.NOT_FOUND);
        assertThrows(StoreNotFoundException.class, store::count);
        assertEquals(0, store.count());
    }

    @Test
    void createIndexSetsHnswParameters() {
        VectorStore store = open("", "index", DIM);
        store.upsert(records(30));
        store.createIndex(
                new IndexOptions(IndexType.HNSW, Map.of("m", "32", "ef_construct", "200")));
        assertEquals(32, fake.hnswOf("index").getM());
        assertEquals(200, fake.hnswOf("index").getEfConstruct());
        assertTrue(store.info().index().contains("m=32"), store.info().index());
        store.createIndex(IndexOptions.of(IndexType.NONE));
        assertEquals(0, fake.hnswOf("index").getM());
        assertTrue(store.info().index().startsWith("none"), store.info().index());
        store.createIndex(IndexOptions.auto());
        assertEquals(16, fake.hnswOf("index").getM());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> store.createIndex(IndexOptions.of(IndexType.IVF_PQ)));
        assertTrue(e.getMessage().contains("HNSW"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                store.createIndex(
                                        new IndexOptions(IndexType.HNSW, Map.of("nprobes", "4"))));
        assertTrue(e.getMessage().contains("nprobes"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> store.createIndex(new IndexOptions(IndexType.HNSW, Map.of("m", "lots"))));
        assertEquals(30, store.count());
    }

    @SuppressWarnings("deprecation")
    @Test
    void pointsWrittenByOtherToolsAreReadable() throws Exception {
        VectorStore store = open("", "foreign", 2);
        // A point with a numeric id, the older Vector.data form and no clip-search payload.
        try (QdrantGrpcClient c =
                QdrantGrpcClient.newBuilder(fake.inProcessChannel(), true, false).build()) {
            c.points()
                    .upsert(
                            UpsertPoints.newBuilder()
                                    .setCollectionName("foreign")
                                    .setWait(true)
                                    .addPoints(
                                            PointStruct.newBuilder()
                                                    .setId(PointId.newBuilder().setNum(42))
                                                    .setVectors(
                                                            Points.Vectors.newBuilder()
                                                                    .setVector(
                                                                            Points.Vector
                                                                                    .newBuilder()
                                                                                    .addData(0f)
                                                                                    .addData(2f))))
                                    .build())
                    .get();
        }
        store.upsert(List.of(new ImageRecord("ours", 1, null, new float[] {1, 0})));
        List<SearchHit> hits = store.search(new float[] {0, 1}, 2);
        assertEquals("42", hits.get(0).id());
        assertEquals(1.0, hits.get(0).score(), 1e-6);
        assertEquals(0, hits.get(0).label());
        assertEquals("ours", hits.get(1).id());
        assertEquals(
                1,
                store.search(
                                SearchRequest.of(new float[] {0, 1}, 5)
                                        .withFilter(Filter.labelEquals(1)))
                        .size());
        List<ImageRecord> all = new ArrayList<>();
        store.scan(false, all::add);
        assertEquals(2, all.size());
    }

    @Test
    void tooOldServersAreRefused() {
        QdrantSettings settings =
                QdrantSettings.parse(dev.clipsearch.store.StoreLocation.parse("qdrant://db:6334"));
        StoreException e =
                assertThrows(
                        StoreException.class,
                        () -> QdrantVectorStore.checkServerVersion("1.12.6", settings));
        assertTrue(
                e.getMessage().contains("1.12.6") && e.getMessage().contains("db:6334"),
                e.getMessage());
        for (String ok : List.of("1.13.0", "v1.15.5", "1.18.3-dev", "2.0.0", "unknown")) {
            QdrantVectorStore.checkServerVersion(ok, settings);
        }
    }
}
