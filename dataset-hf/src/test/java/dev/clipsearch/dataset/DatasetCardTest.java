package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The YAML header of dataset cards. */
class DatasetCardTest {

    @Test
    void readsEveryDataFilesForm() {
        DatasetCard card =
                DatasetCard.parse(
                        """
                ---
                configs:
                - config_name: one
                  data_files: data/*.parquet
                - config_name: two
                  data_files:
                  - a.parquet
                  - b.parquet
                - config_name: three
                  default: true
                  data_files:
                  - split: valid
                    path: data/valid-*
                  - split: test
                    path: [t1.parquet, t2.parquet]
                - config_name: four
                  data_files:
                    train: tr/*
                    test: [te/*]
                ---
                # Card
                """,
                        "card");
        List<DatasetCard.Config> configs = card.configs();
        assertThat(configs)
                .extracting(DatasetCard.Config::name)
                .containsExactly("one", "two", "three", "four");
        assertThat(configs.get(0).dataFiles())
                .containsExactly(Map.entry("train", List.of("data/*.parquet")));
        assertThat(configs.get(1).dataFiles())
                .containsExactly(Map.entry("train", List.of("a.parquet", "b.parquet")));
        assertThat(configs.get(2).dataFiles())
                .containsExactly(
                        Map.entry("valid", List.of("data/valid-*")),
                        Map.entry("test", List.of("t1.parquet", "t2.parquet")));
        assertThat(configs.get(3).dataFiles())
                .containsExactly(
                        Map.entry("train", List.of("tr/*")), Map.entry("test", List.of("te/*")));
        assertThat(card.defaultConfig()).map(DatasetCard.Config::name).contains("three");
    }

    @Test
    void readsClassNamesGivenAsMapOrListAndPerConfig() {
        DatasetCard map =
                DatasetCard.parse(
                        """
                ---
                dataset_info:
                  features:
                  - name: image
                    dtype: image
                  - name: label
                    dtype:
                      class_label:
                        names:
                          '0': n01443537
                          '1': n01629819
                ---
                """,
                        "card");
        assertThat(map.labelNames("default").asMap())
                .containsExactly(Map.entry(0, "n01443537"), Map.entry(1, "n01629819"));
        DatasetCard perConfig =
                DatasetCard.parse(
                        """
                ---
                dataset_info:
                - config_name: small
                  features:
                  - name: label
                    dtype: {class_label: {names: [x, y]}}
                - config_name: default
                  features:
                  - name: coarse
                    dtype: {class_label: {names: [animal]}}
                  - name: label
                    dtype: {class_label: {names: [cat, dog, 'no']}}
                ---
                """,
                        "card");
        assertThat(perConfig.labelNames("default").asMap().values())
                .containsExactly("cat", "dog", "no");
        assertThat(perConfig.labelNames("small").asMap().values()).containsExactly("x", "y");
    }

    @Test
    void columnsComeFromTheFeatureTypes() {
        DatasetCard card =
                DatasetCard.parse(
                        """
                ---
                dataset_info:
                  features:
                  - name: img
                    dtype: image
                  - name: coarse_label
                    dtype: {class_label: {names: [a, b]}}
                  - name: fine_label
                    dtype: {class_label: {names: [x, y, z]}}
                ---
                """,
                        "card");
        assertThat(card.columns("default")).isEqualTo(new ParquetColumns("img", "coarse_label"));
        assertThat(card.labelNames("default").asMap().values()).containsExactly("a", "b");
        assertThat(DatasetCard.EMPTY.columns("default")).isEqualTo(ParquetColumns.DEFAULT);
    }

    @Test
    void aCardWithoutYamlIsEmptyAndBadYamlIsNamed() {
        assertThat(DatasetCard.parse("# Just markdown\n---\n", "card").configs()).isEmpty();
        assertThat(DatasetCard.parse("# Just markdown\n", "card").labelNames("default").size())
                .isZero();
        assertThatThrownBy(
                        () ->
                                DatasetCard.parse(
                                        "---\nconfigs: [unclosed\n---\n", "acme/x/README.md"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("acme/x/README.md");
    }

    @Test
    void readsClassNamesFromParquetMetadata() {
        String json =
                "{\"info\": {\"features\": {\"image\": {\"_type\": \"Image\"}, "
                        + "\"label\": {\"names\": [\"a\", \"b\"], \"_type\": \"ClassLabel\"}}}}";
        assertThat(DatasetCard.fromParquetMetadata(json, "f").asMap().values())
                .containsExactly("a", "b");
        assertThat(DatasetCard.fromParquetMetadata("{\"info\": {}}", "f").size()).isZero();
    }
}
