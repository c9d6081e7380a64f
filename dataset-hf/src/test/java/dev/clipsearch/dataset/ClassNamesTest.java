package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassNamesTest {
    @TempDir Path tmp;

    @Test
    void tinyImageNetGetsReadableNamesOthersKeepTheirOwn() {
        HfDataset tiny = HfDatasets.load(TestDatasets.tinyImagenetValid(tmp).toString());
        assertThat(ClassNames.isTinyImageNetOrder(tiny.labelNames())).isTrue();
        assertThat(ClassNames.labelNames(tiny, null)).isEqualTo(TinyImageNet.readableNames());
        assertThat(ClassNames.labelNames(tiny, null).name(0))
                .isPresent()
                .get()
                .isNotEqualTo("n01443537");

        List<String> classes = List.of("cat", "dog");
        HfDataset other =
                HfDatasets.load(
                        TestDatasets.writeHubDataset(tmp.resolve("other"), classes, 4, 1)
                                .toString());
        assertThat(ClassNames.labelNames(other, null)).isEqualTo(LabelNames.of(classes));
    }

    @Test
    void onlyTheSortedTwoHundredWordNetIdsAreTinyImageNetOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(String.format("n%08d", 1000 + i));
        }
        assertThat(ClassNames.isTinyImageNetOrder(LabelNames.of(ids))).isTrue();
        List<String> unsorted = new ArrayList<>(ids);
        unsorted.set(0, ids.get(1));
        unsorted.set(1, ids.get(0));
        assertThat(ClassNames.isTinyImageNetOrder(LabelNames.of(unsorted))).isFalse();
        assertThat(ClassNames.isTinyImageNetOrder(LabelNames.of(ids.subList(0, 199)))).isFalse();
        assertThat(ClassNames.isTinyImageNetOrder(LabelNames.of(Map.of(0, "n00000001")))).isFalse();
    }

    @Test
    void aTsvOverridesTheDatasetsNames() throws IOException {
        HfDataset tiny = HfDatasets.load(TestDatasets.tinyImagenetValid(tmp).toString());
        Path tsv =
                Files.writeString(
                        tmp.resolve("names.tsv"), "label\tname\n0\tfish\n1\tsalamander\n");
        assertThat(ClassNames.labelNames(tiny, tsv))
                .isEqualTo(LabelNames.of(List.of("fish", "salamander")));
        assertThatThrownBy(() -> ClassNames.labelNames(tiny, tmp.resolve("missing.tsv")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing.tsv");
    }
}
