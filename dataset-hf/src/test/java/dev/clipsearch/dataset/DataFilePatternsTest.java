package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Split resolution by file name and data_files globs, as the Hub does it. */
class DataFilePatternsTest {

    @Test
    void shardedNamesGiveTheirSplitNames() {
        Map<String, List<String>> splits =
                DataFilePatterns.resolveByName(
                        List.of(
                                "data/valid-00000-of-00001.parquet",
                                "data/train-00001-of-00002.parquet",
                                "data/train-00000-of-00002.parquet",
                                "data/extra-00000-of-00001-abc.parquet",
                                "other/x.parquet"));
        assertThat(splits)
                .containsExactly(
                        Map.entry(
                                "train",
                                List.of(
                                        "data/train-00000-of-00002.parquet",
                                        "data/train-00001-of-00002.parquet")),
                        Map.entry("valid", List.of("data/valid-00000-of-00001.parquet")),
                        Map.entry("extra", List.of("data/extra-00000-of-00001-abc.parquet")));
    }

    @Test
    void directoryNamesComeBeforeFileNames() {
        assertThat(
                        DataFilePatterns.resolveByName(
                                List.of(
                                        "train/a.parquet",
                                        "data/val/b.parquet",
                                        "test-x/c.parquet",
                                        "readme-test.parquet")))
                .containsExactly(
                        Map.entry("train", List.of("train/a.parquet")),
                        Map.entry("val", List.of("data/val/b.parquet")),
                        Map.entry("test", List.of("test-x/c.parquet")));
    }

    @Test
    void fileNamesWithKeywordsAreSplitsAndAliasesStayDistinct() {
        assertThat(
                        DataFilePatterns.resolveByName(
                                List.of(
                                        "validation.parquet",
                                        "valid-0.parquet",
                                        "data/my_val_1.parquet",
                                        "train.parquet",
                                        "trainer.parquet",
                                        "test.parquet")))
                .containsExactly(
                        Map.entry("train", List.of("train.parquet")),
                        Map.entry("validation", List.of("validation.parquet")),
                        Map.entry("valid", List.of("valid-0.parquet")),
                        Map.entry("val", List.of("data/my_val_1.parquet")),
                        Map.entry("test", List.of("test.parquet")));
    }

    @Test
    void withoutKeywordsEverythingIsTrain() {
        assertThat(DataFilePatterns.resolveByName(List.of("b.parquet", "a/c.parquet")))
                .containsExactly(Map.entry("train", List.of("a/c.parquet", "b.parquet")));
        assertThat(DataFilePatterns.resolveByName(List.of())).isEmpty();
    }

    @Test
    void globsFollowFsspec() {
        List<String> files =
                List.of(
                        "data/valid-0.parquet",
                        "data/sub/valid-1.parquet",
                        "data/train-0.parquet",
                        "valid/x.parquet");
        assertThat(DataFilePatterns.match("data/valid-*", files))
                .containsExactly("data/valid-0.parquet");
        assertThat(DataFilePatterns.match("data/**/valid-*.parquet", files))
                .containsExactly("data/valid-0.parquet", "data/sub/valid-1.parquet");
        assertThat(DataFilePatterns.match("**", files)).hasSize(4);
        assertThat(DataFilePatterns.match("data/[tv]????-0.parquet", files))
                .containsExactly("data/valid-0.parquet", "data/train-0.parquet");
        assertThat(DataFilePatterns.match("data/[!v]*", files))
                .containsExactly("data/train-0.parquet");
        assertThat(DataFilePatterns.match("valid", files)).containsExactly("valid/x.parquet");
        assertThat(DataFilePatterns.match("./data/train-0.parquet", files))
                .containsExactly("data/train-0.parquet");
    }
}
