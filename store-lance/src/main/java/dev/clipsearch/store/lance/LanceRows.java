package dev.clipsearch.store.lance;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.SearchHit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/** Turns batches read from a Lance table ({@link LanceSchema}) into hits and records. */
final class LanceRows {

    private LanceRows() {}

    /** Adds the rows of a nearest-neighbour batch (with its {@code _distance}) to {@code hits}. */
    static void hits(VectorSchemaRoot root, boolean includeImageBytes, List<SearchHit> hits) {
        VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
        IntVector label = (IntVector) root.getVector(LanceSchema.LABEL);
        VarCharVector meta = (VarCharVector) root.getVector(LanceSchema.METADATA);
        VarBinaryVector bytes =
                includeImageBytes
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
    }

    /** Hands every row of a scan batch to the consumer as a record. */
    static void records(
            VectorSchemaRoot root,
            int dimension,
            boolean includeImageBytes,
            Consumer<ImageRecord> consumer) {
        VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
        IntVector label = (IntVector) root.getVector(LanceSchema.LABEL);
        FixedSizeListVector vector = (FixedSizeListVector) root.getVector(LanceSchema.VECTOR);
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
    }

    static String string(VarCharVector v, int i) {
        return v.isNull(i) ? null : new String(v.get(i), StandardCharsets.UTF_8);
    }

    static Map<String, String> metadata(VarCharVector v, int i) {
        return v.isNull(i) ? Map.of() : MetadataJson.decode(string(v, i));
    }
}
