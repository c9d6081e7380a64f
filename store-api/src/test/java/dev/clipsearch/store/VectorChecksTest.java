package dev.clipsearch.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VectorChecksTest {

    @Test
    void cosineAndNormalize() {
        assertEquals(1.0, VectorChecks.cosine(new float[] {1, 1}, new float[] {3, 3}), 1e-12);
        assertEquals(0.0, VectorChecks.cosine(new float[] {1, 0}, new float[] {0, 2}), 1e-12);
        assertEquals(-1.0, VectorChecks.cosine(new float[] {1, 0}, new float[] {-2, 0}), 1e-12);
        assertArrayEquals(
                new float[] {0.6f, 0.8f}, VectorChecks.normalize(new float[] {3, 4}), 1e-7f);
        assertArrayEquals(new float[] {0, 0}, VectorChecks.normalize(new float[] {0, 0}));
        assertThrows(
                IllegalArgumentException.class, () -> VectorChecks.dot(new float[1], new float[2]));
    }

    @Test
    void openDimensionIsZeroOrValid() {
        assertEquals(0, VectorChecks.checkOpenDimension(0));
        assertEquals(512, VectorChecks.checkOpenDimension(512));
        assertThrows(IllegalArgumentException.class, () -> VectorChecks.checkOpenDimension(-1));
        assertThrows(
                IllegalArgumentException.class,
                () -> VectorChecks.checkOpenDimension(VectorChecks.MAX_DIMENSION + 1));
    }

    @Test
    void batchValidation() {
        List<ImageRecord> ok =
                List.of(
                        new ImageRecord("a", 0, null, new float[] {1, 0}),
                        new ImageRecord("b", 0, null, new float[] {0, 1}));
        VectorChecks.checkBatch(ok, 2);
        VectorChecks.checkBatch(List.of(), 2);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> VectorChecks.checkBatch(ok, 3));
        assertTrue(
                e.getMessage().contains("'a'") && e.getMessage().contains("expected 3, got 2"),
                e.getMessage());
        List<ImageRecord> zero = List.of(new ImageRecord("z", 0, null, new float[2]));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> VectorChecks.checkBatch(zero, 2))
                        .getMessage()
                        .contains("zero"));
        List<ImageRecord> withNull = new ArrayList<>(ok);
        withNull.add(null);
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> VectorChecks.checkBatch(withNull, 2))
                        .getMessage()
                        .contains("position 2"));
        assertThrows(NullPointerException.class, () -> VectorChecks.checkBatch(null, 2));
    }

    @Test
    void dimensionAndK() {
        assertThrows(IllegalArgumentException.class, () -> VectorChecks.checkDimension(0));
        assertThrows(IllegalArgumentException.class, () -> VectorChecks.checkDimension(-1));
        assertEquals(512, VectorChecks.checkDimension(512));
        assertThrows(IllegalArgumentException.class, () -> VectorChecks.checkK(0));
        assertEquals(10, VectorChecks.checkK(10));
    }
}
