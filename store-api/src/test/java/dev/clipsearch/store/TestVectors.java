package dev.clipsearch.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/** Synthetic data for store tests: clustered random vectors and brute-force exact search. */
public final class TestVectors {

    private TestVectors() {}

    /** A random unit vector. */
    public static float[] randomUnit(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return VectorChecks.normalize(v);
    }

    /** {@code centre + noise * gaussian}, normalised. */
    public static float[] near(Random rnd, float[] centre, double noise) {
        float[] v = new float[centre.length];
        double scale = noise / Math.sqrt(centre.length);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (centre[i] + scale * rnd.nextGaussian());
        }
        return VectorChecks.normalize(v);
    }

    /** {@code n} vectors around {@code clusters} random centres. */
    public static List<float[]> clustered(Random rnd, int n, int dim, int clusters, double noise) {
        List<float[]> centres = new ArrayList<>(clusters);
        for (int c = 0; c < clusters; c++) {
            centres.add(randomUnit(rnd, dim));
        }
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(near(rnd, centres.get(rnd.nextInt(clusters)), noise));
        }
        return out;
    }

    /** Records {@code prefix + i} with label {@code i % labels}, small image bytes and metadata. */
    public static List<ImageRecord> records(
            String prefix, List<float[]> vectors, int labels, boolean withBytes) {
        List<ImageRecord> out = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            Map<String, String> meta = new HashMap<>();
            meta.put("source", i % 2 == 0 ? "even" : "odd");
            meta.put("labelName", "class-" + (i % labels));
            out.add(
                    new ImageRecord(
                            prefix + i,
                            i % labels,
                            withBytes ? bytesFor(i) : null,
                            vectors.get(i),
                            meta));
        }
        return out;
    }

    /**
     * Deterministic pseudo-image bytes for record i (every byte value appears, including 0 and
     * 0xFF).
     */
    public static byte[] bytesFor(int i) {
        byte[] b = new byte[64 + (i % 97)];
        Random r = new Random(i * 31L + 7);
        r.nextBytes(b);
        b[0] = 0;
        b[1] = (byte) 0xFF;
        return b;
    }

    /** One exact result. */
    public record Expected(String id, double score) {}

    /** Brute-force cosine top-k over records matching {@code keep}, best first. */
    public static List<Expected> exactTopK(
            List<ImageRecord> records, float[] query, int k, Predicate<ImageRecord> keep) {
        List<Expected> all = new ArrayList<>();
        for (ImageRecord r : records) {
            if (keep == null || keep.test(r)) {
                all.add(new Expected(r.id(), VectorChecks.cosine(query, r.vector())));
            }
        }
        all.sort(Comparator.comparingDouble(Expected::score).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}
