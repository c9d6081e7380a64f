package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.Filter;
import dev.clipsearch.store.ImageRecord;
import io.qdrant.client.VectorOutputHelper;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Common;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PayloadIncludeSelector;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a record is laid out in a Qdrant point, and how the store's filter model becomes a Qdrant
 * filter.
 *
 * <p>Point payload:
 *
 * <ul>
 *   <li>{@code id} (string): the record id (the point id is {@link PointIds#uuidFor(String) its
 *       UUID})
 *   <li>{@code label} (integer, with an integer payload index)
 *   <li>{@code metadata} (object of strings): filtered as {@code metadata.<key>}
 *   <li>{@code image_b64} (string): the encoded image, standard Base64; absent with {@code
 *       store_images=false}. Qdrant payloads are JSON, which has no bytes type, so Base64 it is (a
 *       third larger; collections are created with {@code on_disk_payload=true} so the images stay
 *       on disk, not in RAM)
 * </ul>
 *
 * The vector is the point's unnamed dense vector. Qdrant normalises vectors of a Cosine collection
 * on upsert, so {@code get} and {@code scan} return the unit-length version of what was stored
 * (same direction, same cosine scores).
 */
final class QdrantPayloads {

    static final String ID = "id";
    static final String LABEL = "label";
    static final String METADATA = "metadata";
    static final String IMAGE = "image_b64";

    private QdrantPayloads() {}

    /** The point of a record (image bytes only when {@code storeImages}). */
    static PointStruct toPoint(ImageRecord record, boolean storeImages) {
        PointStruct.Builder point =
                PointStruct.newBuilder()
                        .setId(PointIds.pointIdFor(record.id()))
                        .setVectors(VectorsFactory.vectors(record.vector()))
                        .putPayload(ID, string(record.id()))
                        .putPayload(
                                LABEL, Value.newBuilder().setIntegerValue(record.label()).build());
        Struct.Builder metadata = Struct.newBuilder();
        record.metadata().forEach((k, v) -> metadata.putFields(k, string(v)));
        point.putPayload(METADATA, Value.newBuilder().setStructValue(metadata).build());
        if (storeImages && record.imageBytes() != null) {
            point.putPayload(
                    IMAGE, string(Base64.getEncoder().encodeToString(record.imageBytes())));
        }
        return point.build();
    }

    /**
     * Roughly how many bytes a record takes in an upsert request (for chunking requests by size).
     */
    static long estimatedSize(ImageRecord record, boolean storeImages) {
        long size = 256 + record.id().length() * 2L + record.vector().length * 10L;
        for (Map.Entry<String, String> e : record.metadata().entrySet()) {
            size += 8 + e.getKey().length() + e.getValue().length() * 3L;
        }
        if (storeImages && record.imageBytes() != null) {
            size += record.imageBytes().length * 4L / 3 + 4;
        }
        return size;
    }

    /** A record read back from a point. */
    static ImageRecord toRecord(RetrievedPoint point) {
        Map<String, Value> payload = point.getPayloadMap();
        float[] vector = denseVector(point.hasVectors() ? point.getVectors() : null, point.getId());
        return new ImageRecord(
                recordId(point.getId(), payload),
                label(payload),
                imageBytes(payload),
                vector,
                metadata(payload));
    }

    /** The record id of a point: the payload {@code id}, else the point id itself. */
    static String recordId(Common.PointId pointId, Map<String, Value> payload) {
        Value id = payload.get(ID);
        if (id != null && id.hasStringValue()) {
            return id.getStringValue();
        }
        return pointId.hasUuid() ? pointId.getUuid() : Long.toUnsignedString(pointId.getNum());
    }

    /** The label of a payload (0 when the point has none). */
    static int label(Map<String, Value> payload) {
        Value v = payload.get(LABEL);
        if (v == null) {
            return 0;
        }
        if (v.hasIntegerValue()) {
            return Math.toIntExact(v.getIntegerValue());
        }
        if (v.hasDoubleValue()) {
            return (int) v.getDoubleValue();
        }
        return 0;
    }

    /** The metadata of a payload, every value as a string. */
    static Map<String, String> metadata(Map<String, Value> payload) {
        Value v = payload.get(METADATA);
        if (v == null || !v.hasStructValue()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        v.getStructValue().getFieldsMap().forEach((k, value) -> out.put(k, asString(value)));
        return out;
    }

    /** The image bytes of a payload, or {@code null}. */
    static byte[] imageBytes(Map<String, Value> payload) {
        Value v = payload.get(IMAGE);
        return v == null || !v.hasStringValue()
                ? null
                : Base64.getDecoder().decode(v.getStringValue());
    }

    /** Which payload fields to fetch: the record's, with or without the image. */
    static WithPayloadSelector payloadSelector(boolean withImage) {
        PayloadIncludeSelector.Builder include =
                PayloadIncludeSelector.newBuilder()
                        .addFields(ID)
                        .addFields(LABEL)
                        .addFields(METADATA);
        if (withImage) {
            include.addFields(IMAGE);
        }
        return WithPayloadSelector.newBuilder().setInclude(include).build();
    }

    /** A point selector for these ids. */
    static PointsSelector selector(List<Common.PointId> ids) {
        return PointsSelector.newBuilder()
                .setPoints(PointsIdsList.newBuilder().addAllIds(ids))
                .build();
    }

    /**
     * The Qdrant filter of a store filter: labels match {@code label}, metadata {@code
     * metadata.<key>}.
     */
    static Common.Filter toQdrant(Filter filter) {
        return Common.Filter.newBuilder().addAllMust(conditions(filter)).build();
    }

    private static List<Condition> conditions(Filter filter) {
        if (filter instanceof Filter.LabelIn in) {
            Match.Builder match = Match.newBuilder();
            if (in.labels().size() == 1) {
                match.setInteger(in.labels().iterator().next());
            } else {
                Common.RepeatedIntegers.Builder ints = Common.RepeatedIntegers.newBuilder();
                in.labels().forEach(l -> ints.addIntegers(l));
                match.setIntegers(ints);
            }
            return List.of(field(LABEL, match));
        }
        if (filter instanceof Filter.MetadataEquals eq) {
            return List.of(
                    field(METADATA + "." + eq.key(), Match.newBuilder().setKeyword(eq.value())));
        }
        if (filter instanceof Filter.And and) {
            return and.filters().stream().flatMap(f -> conditions(f).stream()).toList();
        }
        throw new IllegalArgumentException("Unsupported filter for Qdrant: " + filter);
    }

    private static Condition field(String key, Match.Builder match) {
        return Condition.newBuilder()
                .setField(FieldCondition.newBuilder().setKey(key).setMatch(match))
                .build();
    }

    private static float[] denseVector(VectorsOutput vectors, Common.PointId id) {
        if (vectors == null || !vectors.hasVector()) {
            throw new IllegalStateException("Qdrant point " + id + " has no unnamed dense vector");
        }
        List<Float> data = VectorOutputHelper.getDenseVector(vectors.getVector()).getDataList();
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i);
        }
        return out;
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static String asString(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INTEGER_VALUE -> Long.toString(v.getIntegerValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case NULL_VALUE, KIND_NOT_SET -> "";
            default -> v.toString();
        };
    }
}
