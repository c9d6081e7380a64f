package dev.clipsearch.core;

/** Comparison helpers for the parity tests. */
final class Vectors {

    private Vectors() {}

    static double cosine(float[] a, float[] b, int bOffset) {
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

    static double maxAbsDiff(float[] a, float[] b, int bOffset) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[bOffset + i]));
        }
        return max;
    }

    /** Worst (max abs diff, min cosine) of rows against a flat row-major reference. */
    record Agreement(double maxAbsDiff, double minCosine) {
        static Agreement of(float[][] rows, float[] reference) {
            double max = 0;
            double min = 1;
            for (int r = 0; r < rows.length; r++) {
                int offset = r * rows[r].length;
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
