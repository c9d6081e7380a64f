package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The parity helpers fail on missing or misshapen output instead of passing vacuously. */
class VectorsTest {

    private static final float[] REFERENCE = {1, 0, 0, 1};

    @Test
    void agreementOfMatchingRowsIsExact() {
        Vectors.Agreement a = Vectors.Agreement.of(new float[][] {{1, 0}, {0, 1}}, REFERENCE);
        assertThat(a.maxAbsDiff()).isZero();
        assertThat(a.minCosine()).isEqualTo(1.0);
    }

    @Test
    void noEmbeddingsFail() {
        assertThatThrownBy(() -> Vectors.Agreement.of(new float[0][], REFERENCE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no embeddings");
    }

    @Test
    void tooFewOrTooManyRowsFail() {
        assertThatThrownBy(() -> Vectors.Agreement.of(new float[][] {{1, 0}}, REFERENCE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("reference holds 4 values");
        assertThatThrownBy(
                        () ->
                                Vectors.Agreement.of(
                                        new float[][] {{1, 0}, {0, 1}, {1, 1}}, REFERENCE))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void rowsOfTheWrongLengthFail() {
        assertThatThrownBy(() -> Vectors.Agreement.of(new float[][] {{1, 0, 0, 1}}, new float[8]))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Vectors.Agreement.of(new float[][] {{1, 0}, {0}}, REFERENCE))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("row 1 has 1 values");
        assertThatThrownBy(() -> Vectors.Agreement.of(new float[][] {{}, {}}, new float[0]))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void slicesPastTheReferenceOrEmptyVectorsFail() {
        assertThatThrownBy(() -> Vectors.cosine(new float[] {1, 0}, REFERENCE, 3))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Vectors.maxAbsDiff(new float[0], REFERENCE, 0))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Vectors.maxAbsDiff(new float[] {1}, new float[] {1, 2}))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lengths differ");
    }
}
