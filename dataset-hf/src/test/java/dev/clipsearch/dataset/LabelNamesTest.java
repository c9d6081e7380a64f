package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelNamesTest {

    @TempDir Path tempDir;

    @Test
    void ofListIndexesInOrder() {
        LabelNames names = LabelNames.of(List.of("cat", "dog"));
        assertThat(names.size()).isEqualTo(2);
        assertThat(names.name(1)).contains("dog");
        assertThat(names.name(2)).isEmpty();
        assertThat(names.name(-1)).isEmpty();
        assertThat(names.asMap()).containsExactly(Map.entry(0, "cat"), Map.entry(1, "dog"));
    }

    @Test
    void fromTsvUsesTheLabelAndNameColumns() throws Exception {
        Path tsv =
                Files.writeString(
                        tempDir.resolve("c.tsv"),
                        "wnid\tname\tlabel\nn1\tgold fish\t1\nn0\tfrog\t0\n\n");
        LabelNames names = LabelNames.fromTsv(tsv);
        assertThat(names.asMap()).containsExactly(Map.entry(0, "frog"), Map.entry(1, "gold fish"));
    }

    @Test
    void fromTsvNamesWhatIsWrong() throws Exception {
        Path noColumn = Files.writeString(tempDir.resolve("a.tsv"), "id\tname\n0\tx\n");
        assertThatThrownBy(() -> LabelNames.fromTsv(noColumn))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("a.tsv")
                .hasMessageContaining("'label'");
        Path badLabel = Files.writeString(tempDir.resolve("b.tsv"), "label\tname\n0\tx\nzero\ty\n");
        assertThatThrownBy(() -> LabelNames.fromTsv(badLabel))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("b.tsv line 3");
        Path twice = Files.writeString(tempDir.resolve("d.tsv"), "label\tname\n0\tx\n0\ty\n");
        assertThatThrownBy(() -> LabelNames.fromTsv(twice))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> LabelNames.fromTsv(tempDir.resolve("missing.tsv")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing.tsv");
    }
}
