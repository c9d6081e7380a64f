package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.EmbeddingMode;
import dev.clipsearch.core.ImageEncoder;
import dev.clipsearch.core.Precision;
import dev.clipsearch.core.TextEncoder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code clip-search embed}: one JSON line per input, in the order the inputs were given. */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description =
                "Print the CLIP embedding of images and texts as JSON lines "
                        + "{\"type\":\"image\"|\"text\",\"input\":...,\"embedding\":[...]}, in input order.")
final class EmbedCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin EmbedModelOptions modelOptions;

    @Option(
            names = "--raw",
            description = "Print the raw projected features instead of unit-length vectors.")
    boolean raw;

    /** The model options, FP32 by default: embed is the parity tool (transformers' numbers). */
    static final class EmbedModelOptions extends ModelOptions {
        EmbedModelOptions() {
            precision = Precision.FP32;
        }
    }

    private record Input(boolean image, String value) {}

    private final List<Input> inputs = new ArrayList<>();

    @Option(names = "--image", paramLabel = "PATH", description = "An image file (repeatable).")
    void image(String path) {
        inputs.add(new Input(true, path));
    }

    @Option(names = "--text", paramLabel = "TEXT", description = "A text (repeatable).")
    void text(String text) {
        inputs.add(new Input(false, text));
    }

    @Override
    public Integer call() {
        if (inputs.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "Give at least one --image PATH or --text TEXT");
        }
        for (Input in : inputs) {
            if (in.image() && !Files.isRegularFile(Path.of(in.value()))) {
                throw new IllegalArgumentException("Image file not found: " + in.value());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper json = new ObjectMapper();
        EmbeddingMode mode = raw ? EmbeddingMode.RAW : EmbeddingMode.NORMALIZED;
        try (ClipModel clip =
                ClipModels.fromPretrained(
                        modelOptions.model, modelOptions.hub(), modelOptions.modelOptions())) {
            ImageEncoder images = clip.imageEncoder(mode);
            TextEncoder texts = clip.textEncoder(mode);
            for (Input in : inputs) {
                float[] v =
                        in.image() ? images.encode(Path.of(in.value())) : texts.encode(in.value());
                ObjectNode line = json.createObjectNode();
                line.put("type", in.image() ? "image" : "text");
                line.put("input", in.value());
                ArrayNode values = line.putArray("embedding");
                for (float x : v) {
                    values.add(x);
                }
                out.println(line);
            }
            out.flush();
        }
        return 0;
    }
}
