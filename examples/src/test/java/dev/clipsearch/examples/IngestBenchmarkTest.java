package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.examples.bench.IngestBenchmark;
import dev.clipsearch.search.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestBenchmarkTest {
    @TempDir Path tmp;

    @Test
    void measuresTheEncoderAndThePipelineOnTheSameImages() throws Exception {
        HfDataset dataset = Fixtures.loadDataset(tmp, 24);
        try (ClipModel model = Fixtures.loadTinyModel(tmp.resolve("model"))) {
            IngestBenchmark.Result r =
                    IngestBenchmark.run(
                            model, dataset, new IngestBenchmark.Options(20, 8, 1, "valid"));
            assertThat(r.images()).isEqualTo(20);
            assertThat(r.batchSize()).isEqualTo(8);
            assertThat(r.encoderImagesPerSecond()).isPositive().isFinite();
            assertThat(r.pipelineImagesPerSecond()).isPositive().isFinite();
            assertThat(r.preprocessImagesPerSecond()).isPositive().isFinite();
            assertThat(r.ratio())
                    .isEqualTo(r.pipelineImagesPerSecond() / r.encoderImagesPerSecond());
            assertThat(r.withinTarget()).isEqualTo(r.ratio() >= IngestBenchmark.TARGET_RATIO);

            JsonNode json = new ObjectMapper().readTree(r.toJson());
            assertThat(json.get("images").asInt()).isEqualTo(20);
            assertThat(json.get("encoder_images_per_second").asDouble())
                    .isEqualTo(r.encoderImagesPerSecond());
            assertThat(json.get("pipeline_images_per_second").asDouble())
                    .isEqualTo(r.pipelineImagesPerSecond());
            assertThat(json.get("within_target").asBoolean()).isEqualTo(r.withinTarget());
            assertThat(r.toTable())
                    .contains("encoder alone")
                    .contains("whole pipeline")
                    .contains("20 images");
        }
    }
}
