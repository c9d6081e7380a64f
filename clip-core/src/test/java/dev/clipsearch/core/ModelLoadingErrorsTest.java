package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing or malformed model files fail with an exception naming the file and the problem. */
class ModelLoadingErrorsTest {

    @TempDir Path temp;

    private Path model() {
        return TestModels.tinyClip(temp);
    }

    /**
     * Removes a tensor's entry from a safetensors header, keeping the data section as it is (its
     * bytes are then unreferenced, which the format allows).
     */
    private static void dropTensor(Path file, String name) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(in.getLong());
        ObjectMapper json = new ObjectMapper();
        ObjectNode header =
                (ObjectNode)
                        json.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        header.remove(name);
        // padded with spaces to a multiple of 8 bytes, as writers do, to keep the data aligned
        String text = json.writeValueAsString(header);
        byte[] newHeader =
                (text + " ".repeat((8 - text.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        int dataLength = bytes.length - 8 - headerLength;
        ByteBuffer out =
                ByteBuffer.allocate(8 + newHeader.length + dataLength)
                        .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(bytes, 8 + headerLength, dataLength);
        Files.write(file, out.array());
    }

    private static void replaceInConfig(Path dir, String from, String to) throws IOException {
        Path config = dir.resolve("config.json");
        String json = Files.readString(config);
        assertThat(json).contains(from);
        Files.writeString(config, json.replace(from, to));
    }

    @Test
    void missingDirectory() {
        Path dir = temp.resolve("nope");
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("not a directory");
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = model();
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("file not found");
    }

    @Test
    void malformedConfig() throws IOException {
        Path dir = model();
        Files.writeString(dir.resolve("config.json"), "{\"text_config\": {");
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("not a valid JSON config");
    }

    @Test
    void unsupportedActivation() throws IOException {
        Path dir = model();
        replaceInConfig(
                dir,
                "\"hidden_act\": \"quick_gelu\",\n    \"hidden_size\": 48",
                "\"hidden_act\": \"relu\",\n    \"hidden_size\": 48");
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("vision_config")
                .hasMessageContaining("unsupported hidden_act 'relu'");
    }

    @Test
    void missingWeights() throws IOException {
        Path dir = model();
        Files.delete(dir.resolve("model.safetensors"));
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("file not found");
    }

    @Test
    void truncatedWeights() throws IOException {
        Path dir = model();
        Path weights = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(weights.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void missingTensor() throws IOException {
        Path dir = model();
        Path weights = dir.resolve("model.safetensors");
        String dropped = "text_model.final_layer_norm.bias";
        dropTensor(weights, dropped);
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(weights.toString())
                .hasMessageContaining("'" + dropped + "' is missing");
    }

    @Test
    void tensorShapeDisagreeingWithConfig() throws IOException {
        Path dir = model();
        replaceInConfig(dir, "\"intermediate_size\": 96", "\"intermediate_size\": 100");
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining(
                        "'vision_model.encoder.layers.0.mlp.fc1.weight' has shape [96, 48]")
                .hasMessageContaining("config implies [100, 48]");
    }

    @Test
    void missingTokenizer() throws IOException {
        Path dir = model();
        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("file not found");
    }

    @Test
    void missingPreprocessorConfig() throws IOException {
        Path dir = model();
        Files.delete(dir.resolve("preprocessor_config.json"));
        assertThatThrownBy(() -> ClipModels.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("preprocessor_config.json")
                .hasMessageContaining("file not found");
    }

    @Test
    void gpuRequestedWithoutGpu() {
        // this project's build only carries the CPU build of PyTorch
        Path dir = model();
        assertThatThrownBy(
                        () -> ClipModels.load(dir, ClipModelOptions.defaults().withDevice("gpu")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees no GPU");
        try (ClipModel auto =
                ClipModels.load(dir, ClipModelOptions.defaults().withDevice("auto"))) {
            assertThat(auto.device().isGpu()).isFalse();
        }
        assertThatThrownBy(() -> ClipModelOptions.defaults().withDevice("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu, gpu or auto");
    }
}
