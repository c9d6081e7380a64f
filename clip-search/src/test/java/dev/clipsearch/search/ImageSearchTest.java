package dev.clipsearch.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.clipsearch.core.ClipImages;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ImageDecodeException;
import dev.clipsearch.store.Filter;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSearchTest {
    @TempDir static Path tmp;

    static ClipModel model;
    static VectorStore store;
    static ImageSearch search;

    @BeforeAll
    static void index() {
        model = Fixtures.loadTinyModel(tmp.resolve("model"));
        store = Fixtures.indexedMemoryStore(model, Fixtures.loadDataset(tmp, 20));
        search = new ImageSearch(model, store);
    }

    @AfterAll
    static void close() {
        search.close();
        store.close();
        model.close();
    }

    @Test
    void findImagesReturnsDecodedImagesBestFirst() {
        List<FoundImage> found = search.findImages("a blue sky", 5);
        assertThat(found).hasSize(5);
        for (int i = 0; i < found.size(); i++) {
            FoundImage f = found.get(i);
            assertThat(f.image().getWidth()).isEqualTo(16);
            assertThat(f.labelName()).isEqualTo(Fixtures.CLASSES.get(f.label()));
            if (i > 0) {
                assertThat(f.score()).isLessThanOrEqualTo(found.get(i - 1).score());
            }
        }
        assertThat(search.findImages("a blue sky", 50, Filter.labelEquals(1)))
                .extracting(FoundImage::id)
                .containsExactlyInAnyOrder(
                        "valid-000001",
                        "valid-000005",
                        "valid-000009",
                        "valid-000013",
                        "valid-000017");
    }

    @Test
    void findSimilarPutsTheExampleItselfFirst() {
        ImageRecord record = store.get("valid-000011").orElseThrow();
        List<FoundImage> byBytes = search.findSimilar(record.imageBytes(), 3);
        assertThat(byBytes.get(0).id()).isEqualTo("valid-000011");
        assertThat(byBytes.get(0).score()).isGreaterThan(0.999f);
        List<FoundImage> byImage =
                search.findSimilar(
                        ClipImages.decode(record.imageBytes(), "q"), 3, Filter.labelEquals(3));
        assertThat(byImage.get(0).id()).isEqualTo("valid-000011");
        assertThat(byImage).allSatisfy(f -> assertThat(f.label()).isEqualTo(3));
    }

    @Test
    void hitsAreTheFoundImagesWithoutDecoding() {
        List<FoundImage> found = search.findImages("a blue sky", 6, Filter.labelEquals(2));
        List<ImageHit> hits = search.findHits("a blue sky", 6, Filter.labelEquals(2));
        assertThat(hits)
                .extracting(ImageHit::id, ImageHit::label, ImageHit::labelName, ImageHit::score)
                .containsExactlyElementsOf(
                        found.stream()
                                .map(f -> tuple(f.id(), f.label(), f.labelName(), f.score()))
                                .toList());
        assertThat(hits).allSatisfy(h -> assertThat(h.labelName()).isEqualTo("blue sky"));
    }

    @Test
    void similarHitsAndImageBytesById() {
        ImageRecord record = store.get("valid-000006").orElseThrow();
        byte[] stored = search.imageBytes("valid-000006").orElseThrow();
        assertThat(stored).isEqualTo(record.imageBytes());
        List<ImageHit> hits = search.findSimilarHits(stored, "example.png", 4, null);
        assertThat(hits).hasSize(4);
        assertThat(hits.get(0).id()).isEqualTo("valid-000006");
        assertThat(hits.get(0).score()).isGreaterThan(0.999f);
        assertThat(hits.get(0).labelName()).isEqualTo(Fixtures.CLASSES.get(2));
        assertThat(search.findSimilarHits(stored, "example.png", 9, Filter.labelEquals(1)))
                .hasSize(5)
                .allSatisfy(h -> assertThat(h.label()).isEqualTo(1));
        assertThat(search.imageBytes("valid-999999")).isEmpty();
        assertThatThrownBy(
                        () ->
                                search.findSimilarHits(
                                        "nope".getBytes(StandardCharsets.UTF_8),
                                        "upload.jpg",
                                        3,
                                        null))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("upload.jpg");
        assertThatThrownBy(() -> search.findHits(" ", 3, null)).hasMessageContaining("empty");
    }

    @Test
    void badQueriesFailClearly() {
        assertThatThrownBy(() -> search.findImages("  ", 3)).hasMessageContaining("empty");
        assertThatThrownBy(() -> search.findImages("cat", 0)).hasMessageContaining("k must be");
        assertThatThrownBy(() -> search.findSimilar("nope".getBytes(StandardCharsets.UTF_8), 3))
                .isInstanceOf(ImageDecodeException.class);
        try (VectorStore other = VectorStores.open(Fixtures.memoryStore(), "t", 16)) {
            assertThatThrownBy(() -> new ImageSearch(model, other))
                    .hasMessageContaining("512-d")
                    .hasMessageContaining("16-d");
        }
    }
}
