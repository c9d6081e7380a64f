package dev.clipsearch.core;

/**
 * Comparison helpers for the parity tests. Every helper checks counts and shapes first: an encoder
 * that returns nothing, too few rows or vectors of the wrong length fails the comparison instead of
 * passing it vacuously.
 */
final class Vectors {

    private Vectors() {}

    /** Cosine of {@code a} and the {@code a.length} values of {@code b} from {@code bOffset}. */
    static double cosine(float[] a, float[] b, int bOffset) {
        checkSlice(a, b, bOffset);
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            double y = b[bOffset + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * Max abs difference of {@code a} and the {@code a.length} values of {@code b} from {@code
     * bOffset}.
     */
    static double maxAbsDiff(float[] a, float[] b, int bOffset) {
        checkSlice(a, b, bOffset);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[bOffset + i]));
        }
        return max;
    }

    /** As {@link #maxAbsDiff(float[], float[], int)} for two whole vectors of the same length. */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("vector lengths differ: " + a.length + " vs " + b.length);
        }
        return maxAbsDiff(a, b, 0);
    }

    private static void checkSlice(float[] a, float[] b, int bOffset) {
        if (a == null || b == null) {
            throw new AssertionError("no vector to compare (null)");
        }
        if (a.length == 0) {
            throw new AssertionError("empty vector: nothing to compare");
        }
        if (bOffset < 0 || bOffset + a.length > b.length) {
            throw new AssertionError(
                    "reference has "
                            + b.length
                            + " values, fewer than offset "
                            + bOffset
                            + " + length "
                            + a.length);
        }
    }

    /** Worst (max abs diff, min cosine) of rows against a flat row-major reference. */
    record Agreement(double maxAbsDiff, double minCosine) {
        /**
         * Compares every row; fails unless there is at least one row, all rows have the same
         * non-zero length and the reference holds exactly {@code rows.length} rows of that length.
         */
        static Agreement of(float[][] rows, float[] reference) {
            if (rows == null || rows.length == 0) {
                throw new AssertionError("no embeddings to compare");
            }
            int dim = rows[0].length;
            for (int r = 0; r < rows.length; r++) {
                if (rows[r] == null || rows[r].length != dim || dim == 0) {
                    throw new AssertionError(
                            "row "
                                    + r
                                    + " has "
                                    + (rows[r] == null ? "no vector" : rows[r].length + " values")
                                    + ", row 0 has "
                                    + dim);
                }
            }
            if ((long) rows.length * dim != reference.length) {
                throw new AssertionError(
                        rows.length
                                + " embeddings of "
                                + dim
                                + " values, but the reference holds "
                                + reference.length
                                + " values ("
                                + (double) reference.length / dim
                                + " rows)");
            }
            double max = 0;
            double min = 1;
            for (int r = 0; r < rows.length; r++) {
                int offset = r * dim;
                max = Math.max(max, Vectors.maxAbsDiff(rows[r], reference, offset));
                min = Math.min(min, Vectors.cosine(rows[r], reference, offset));
            }
            return new Agreement(max, min);
        }

        @Override
        public String toString() {
            return String.format(
                    "max abs diff %.3g, min cosine %.10f (1 - cos = %.2g)",
                    maxAbsDiff, minCosine, 1 - minCosine);
        }
    }
}
