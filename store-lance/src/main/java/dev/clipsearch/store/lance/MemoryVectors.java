package dev.clipsearch.store.lance;

import dev.clipsearch.store.Filter;
import dev.clipsearch.store.SearchHit;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * A memory-resident copy of one version of a table without a vector index: its vectors normalised
 * to unit length in one float matrix (row-major), with ids, labels and metadata for filters and
 * hits. Exact cosine search over it is a tight dot-product loop: no re-read, re-decode or SQL per
 * query. Filters are applied before ranking, with the reference semantics of {@link
 * Filter#matches}. Immutable once loaded; the store loads a new one when the table version changes.
 *
 * <p>Memory: {@code 4 * dimension} bytes per row for the vectors (10,000 x 512 = 20 MB) plus ids
 * and metadata.
 */
final class MemoryVectors {

    private final long version;
    private final int dimension;
    private final int size;
    private final float[] vectors;
    private final String[] ids;
    private final int[] labels;
    private final List<Map<String, String>> metadata;

    private MemoryVectors(
            long version,
            int dimension,
            int size,
            float[] vectors,
            String[] ids,
            int[] labels,
            List<Map<String, String>> metadata) {
        this.version = version;
        this.dimension = dimension;
        this.size = size;
        this.vectors = vectors;
        this.ids = ids;
        this.labels = labels;
        this.metadata = metadata;
    }

    /** Collects the records of one table version (without image bytes). */
    static final class Loader {
        private final long version;
        private final int dimension;
        private float[] vectors;
        private String[] ids;
        private int[] labels;
        private final List<Map<String, String>> metadata;
        private int size;

        Loader(long version, int dimension, int expectedRows) {
            this.version = version;
            this.dimension = dimension;
            int capacity = Math.max(16, expectedRows);
            this.vectors = new float[capacity * dimension];
            this.ids = new String[capacity];
            this.labels = new int[capacity];
            this.metadata = new ArrayList<>(capacity);
        }

        /**
         * Adds the rows of a scan batch (columns id, label, vector, metadata), copying the vector
         * column in bulk.
         */
        void add(VectorSchemaRoot root) {
            int n = root.getRowCount();
            ensureCapacity(size + n);
            VarCharVector id = (VarCharVector) root.getVector(LanceSchema.ID);
            IntVector label = (IntVector) root.getVector(LanceSchema.LABEL);
            FixedSizeListVector vector = (FixedSizeListVector) root.getVector(LanceSchema.VECTOR);
            VarCharVector meta = (VarCharVector) root.getVector(LanceSchema.METADATA);
            Float4Vector values = (Float4Vector) vector.getDataVector();
            int start = vector.getElementStartIndex(0);
            values.getDataBuffer()
                    .nioBuffer((long) start * Float.BYTES, n * dimension * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(vectors, size * dimension, n * dimension);
            for (int i = 0; i < n; i++) {
                normalise(size * dimension);
                ids[size] = LanceRows.string(id, i);
                labels[size] = label.isNull(i) ? 0 : label.get(i);
                metadata.add(LanceRows.metadata(meta, i));
                size++;
            }
        }

        private void ensureCapacity(int rows) {
            if (rows > ids.length) {
                int capacity = Math.max(rows, ids.length * 2);
                vectors = Arrays.copyOf(vectors, capacity * dimension);
                ids = Arrays.copyOf(ids, capacity);
                labels = Arrays.copyOf(labels, capacity);
            }
        }

        private void normalise(int base) {
            double norm = 0;
            for (int j = base; j < base + dimension; j++) {
                norm += (double) vectors[j] * vectors[j];
            }
            float inverse = (float) (1.0 / Math.sqrt(norm));
            for (int j = base; j < base + dimension; j++) {
                vectors[j] *= inverse;
            }
        }

        MemoryVectors done() {
            return new MemoryVectors(version, dimension, size, vectors, ids, labels, metadata);
        }
    }

    /** The table version this copy was loaded from. */
    long version() {
        return version;
    }

    /** The number of rows. */
    int size() {
        return size;
    }

    /**
     * The k rows most similar to {@code query} by cosine similarity among those {@code filter}
     * (null: all) matches, best first; hits carry no image bytes.
     */
    List<SearchHit> search(float[] query, int k, Filter filter) {
        float[] q = unit(query);
        // bounded min-heap of (score, row): the root is the worst of the best k so far
        int limit = Math.min(k, size);
        float[] heapScore = new float[limit];
        int[] heapRow = new int[limit];
        int filled = 0;
        for (int row = 0; row < size; row++) {
            if (filter != null && !filter.matches(labels[row], metadata.get(row))) {
                continue;
            }
            float score = dot(q, row * dimension);
            if (filled < limit) {
                heapScore[filled] = score;
                heapRow[filled] = row;
                siftUp(heapScore, heapRow, filled++);
            } else if (limit > 0 && better(score, row, heapScore[0], heapRow[0])) {
                heapScore[0] = score;
                heapRow[0] = row;
                siftDown(heapScore, heapRow, filled);
            }
        }
        // drain the heap worst first into the hit list, back to front
        SearchHit[] hits = new SearchHit[filled];
        for (int n = filled; n > 0; n--) {
            int row = heapRow[0];
            float score = Math.max(-1f, Math.min(1f, heapScore[0]));
            hits[n - 1] = new SearchHit(ids[row], labels[row], score, null, metadata.get(row));
            heapScore[0] = heapScore[n - 1];
            heapRow[0] = heapRow[n - 1];
            siftDown(heapScore, heapRow, n - 1);
        }
        return new ArrayList<>(List.of(hits));
    }

    private float dot(float[] q, int base) {
        // eight independent sums keep the multiply-add units busy
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        float[] v = vectors;
        int j = 0;
        for (; j + 7 < dimension; j += 8) {
            int b = base + j;
            s0 += q[j] * v[b];
            s1 += q[j + 1] * v[b + 1];
            s2 += q[j + 2] * v[b + 2];
            s3 += q[j + 3] * v[b + 3];
            s4 += q[j + 4] * v[b + 4];
            s5 += q[j + 5] * v[b + 5];
            s6 += q[j + 6] * v[b + 6];
            s7 += q[j + 7] * v[b + 7];
        }
        for (; j < dimension; j++) {
            s0 += q[j] * v[base + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float inverse = (float) (1.0 / Math.sqrt(norm));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inverse;
        }
        return out;
    }

    /** Whether (score a, row ra) ranks before (b, rb): higher score, then lower row. */
    private static boolean better(float a, int ra, float b, int rb) {
        return a > b || (a == b && ra < rb);
    }

    private static void siftUp(float[] score, int[] row, int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(score[parent], row[parent], score[i], row[i])) {
                return;
            }
            swap(score, row, i, parent);
            i = parent;
        }
    }

    private static void siftDown(float[] score, int[] row, int n) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            if (left >= n) {
                return;
            }
            int worst = left;
            int right = left + 1;
            if (right < n && better(score[worst], row[worst], score[right], row[right])) {
                worst = right;
            }
            if (!better(score[i], row[i], score[worst], row[worst])) {
                return;
            }
            swap(score, row, i, worst);
            i = worst;
        }
    }

    private static void swap(float[] score, int[] row, int a, int b) {
        float s = score[a];
        score[a] = score[b];
        score[b] = s;
        int r = row[a];
        row[a] = row[b];
        row[b] = r;
    }
}
