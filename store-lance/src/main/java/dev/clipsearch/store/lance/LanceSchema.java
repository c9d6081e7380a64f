package dev.clipsearch.store.lance;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.StoreSchemaException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The {@code image_search} table layout, readable by LanceDB in Python and Node:
 *
 * <pre>
 *   id          utf8 not null     the record id (merge key)
 *   label       int32
 *   image_bytes binary            encoded image, as the dataset gave it
 *   vector      fixed_size_list&lt;item: float32&gt;[dim]
 *   metadata    utf8              flat JSON object, sorted keys, e.g. {"labelName":"cat","source":"val"}
 * </pre>
 *
 * From LanceDB, filter metadata with e.g. {@code metadata LIKE '%"source":"val"%'}.
 */
final class LanceSchema {

    static final String ID = "id";
    static final String LABEL = "label";
    static final String IMAGE_BYTES = "image_bytes";
    static final String VECTOR = "vector";
    static final String METADATA = "metadata";
    static final String DISTANCE = "_distance";

    private LanceSchema() {}

    /** The table schema for a vector dimension. */
    static Schema schema(int dimension) {
        Field item =
                new Field(
                        "item",
                        FieldType.nullable(
                                new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                        null);
        return new Schema(
                List.of(
                        Field.notNullable(ID, ArrowType.Utf8.INSTANCE),
                        Field.nullable(LABEL, new ArrowType.Int(32, true)),
                        Field.nullable(IMAGE_BYTES, ArrowType.Binary.INSTANCE),
                        new Field(
                                VECTOR,
                                FieldType.nullable(new ArrowType.FixedSizeList(dimension)),
                                List.of(item)),
                        Field.nullable(METADATA, ArrowType.Utf8.INSTANCE)));
    }

    /**
     * The vector dimension of a stored table, or an error naming what is wrong when the table is
     * not an {@code image_search}-layout table.
     */
    static int dimensionOf(Schema schema, String table) {
        for (String column : List.of(ID, LABEL, IMAGE_BYTES, VECTOR, METADATA)) {
            if (schema.getFields().stream().noneMatch(f -> f.getName().equals(column))) {
                throw new StoreSchemaException(
                        "Lance table '"
                                + table
                                + "' has no column '"
                                + column
                                + "'; it is not a clip-search image table (columns: "
                                + schema.getFields()
                                + ")");
            }
        }
        Field vector = schema.findField(VECTOR);
        if (!(vector.getType() instanceof ArrowType.FixedSizeList list)) {
            throw new StoreSchemaException(
                    "Lance table '"
                            + table
                            + "': column 'vector' is "
                            + vector.getType()
                            + ", expected fixed_size_list<float32>");
        }
        return list.getListSize();
    }

    /** Fills a new root with the records; the caller closes it. */
    static VectorSchemaRoot toRoot(
            List<ImageRecord> records, int dimension, BufferAllocator allocator) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(dimension), allocator);
        try {
            int n = records.size();
            VarCharVector id = (VarCharVector) root.getVector(ID);
            IntVector label = (IntVector) root.getVector(LABEL);
            VarBinaryVector bytes = (VarBinaryVector) root.getVector(IMAGE_BYTES);
            FixedSizeListVector vector = (FixedSizeListVector) root.getVector(VECTOR);
            VarCharVector metadata = (VarCharVector) root.getVector(METADATA);
            for (FieldVector v : root.getFieldVectors()) {
                v.setInitialCapacity(n);
                v.allocateNew();
            }
            Float4Vector values = (Float4Vector) vector.getDataVector();
            values.allocateNew(n * dimension);
            // all vector components are valid: set the validity bytes at once, copy each vector in
            // bulk
            values.getValidityBuffer().setOne(0, (int) values.getValidityBuffer().capacity());
            FloatBuffer data =
                    values.getDataBuffer()
                            .nioBuffer(0, n * dimension * Float.BYTES)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer();
            for (int i = 0; i < n; i++) {
                ImageRecord r = records.get(i);
                id.setSafe(i, r.id().getBytes(StandardCharsets.UTF_8));
                label.setSafe(i, r.label());
                if (r.imageBytes() == null) {
                    bytes.setNull(i);
                } else {
                    bytes.setSafe(i, r.imageBytes());
                }
                vector.setNotNull(i);
                data.put(r.vector());
                metadata.setSafe(
                        i, MetadataJson.encode(r.metadata()).getBytes(StandardCharsets.UTF_8));
            }
            values.setValueCount(n * dimension);
            root.setRowCount(n);
            return root;
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }
}
