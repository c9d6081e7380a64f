package dev.clipsearch.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.ClipConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * Writes a complete Hugging Face CLIP model directory with random weights for a given architecture,
 * e.g. {@link ClipConfig#vitB32()}: for the encoder benchmark, where real weights are not needed.
 * Tensor names and shapes are exactly those of transformers' {@code CLIPModel}, so speed and memory
 * equal those of the real checkpoint; the embeddings mean nothing.
 *
 * <p>The tokenizer written is CLIP's with its vocabulary cut down to 11 KB: the byte-level tokens,
 * the special tokens and the BPE merges of about fifty common English words (a photo of a cat, an
 * astronaut riding a horse on the moon, ...) and the digits. Those words get the same ids as with
 * the real tokenizer; other words split into more, shorter tokens.
 */
final class RandomClipCheckpoint {

    private static final String TOKENIZER_RESOURCE = "clip-small-tokenizer.json";

    private RandomClipCheckpoint() {}

    /**
     * Writes {@code config.json}, {@code model.safetensors} (F32), {@code tokenizer.json}, {@code
     * tokenizer_config.json} and {@code preprocessor_config.json} into {@code dir}.
     *
     * @return {@code dir}
     */
    static Path write(Path dir, ClipConfig config, long seed) {
        try {
            Files.createDirectories(dir);
            ObjectMapper json = new ObjectMapper();
            json.writerWithDefaultPrettyPrinter()
                    .writeValue(dir.resolve("config.json").toFile(), config.toJson());
            writeWeights(dir.resolve("model.safetensors"), config, seed);
            try (InputStream in =
                    RandomClipCheckpoint.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "resource " + TOKENIZER_RESOURCE + " missing from the examples jar");
                }
                Files.copy(in, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            ObjectNode tokenizerConfig = json.createObjectNode();
            tokenizerConfig.put("tokenizer_class", "CLIPTokenizer");
            tokenizerConfig.put("model_max_length", config.text().maxPositionEmbeddings());
            tokenizerConfig.put("bos_token", "<|startoftext|>");
            tokenizerConfig.put("eos_token", "<|endoftext|>");
            tokenizerConfig.put("pad_token", "<|endoftext|>");
            tokenizerConfig.put("unk_token", "<|endoftext|>");
            json.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig);
            json.writerWithDefaultPrettyPrinter()
                    .writeValue(
                            dir.resolve("preprocessor_config.json").toFile(),
                            preprocessorConfig(json, config.vision().imageSize()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write random CLIP checkpoint to " + dir, e);
        }
    }

    private static ObjectNode preprocessorConfig(ObjectMapper json, int size) {
        ObjectNode p = json.createObjectNode();
        p.put("image_processor_type", "CLIPImageProcessor");
        p.putObject("crop_size").put("height", size).put("width", size);
        p.putObject("size").put("shortest_edge", size);
        p.put("do_center_crop", true);
        p.put("do_convert_rgb", true);
        p.put("do_normalize", true);
        p.put("do_rescale", true);
        p.put("do_resize", true);
        p.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
        p.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
        p.put("resample", 3);
        p.put("rescale_factor", 1 / 255.0);
        return p;
    }

    private static void writeWeights(Path file, ClipConfig c, long seed) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        SplittableRandom random = new SplittableRandom(seed);
        ClipConfig.TextConfig t = c.text();
        ClipConfig.VisionConfig v = c.vision();
        int th = t.hiddenSize();
        int vh = v.hiddenSize();
        rand(w, random, "text_model.embeddings.token_embedding.weight", 0.02, t.vocabSize(), th);
        rand(
                w,
                random,
                "text_model.embeddings.position_embedding.weight",
                0.01,
                t.maxPositionEmbeddings(),
                th);
        for (int i = 0; i < t.numLayers(); i++) {
            layer(w, random, "text_model.encoder.layers." + i + ".", th, t.intermediateSize());
        }
        layerNorm(w, random, "text_model.final_layer_norm.", th);
        int p = v.patchSize();
        rand(w, random, "vision_model.embeddings.class_embedding", 0.02, vh);
        rand(
                w,
                random,
                "vision_model.embeddings.patch_embedding.weight",
                0.02,
                vh,
                v.numChannels(),
                p,
                p);
        rand(
                w,
                random,
                "vision_model.embeddings.position_embedding.weight",
                0.01,
                v.numPositions(),
                vh);
        layerNorm(w, random, "vision_model.pre_layrnorm.", vh);
        for (int i = 0; i < v.numLayers(); i++) {
            layer(w, random, "vision_model.encoder.layers." + i + ".", vh, v.intermediateSize());
        }
        layerNorm(w, random, "vision_model.post_layernorm.", vh);
        rand(w, random, "visual_projection.weight", 0.02, c.projectionDim(), vh);
        rand(w, random, "text_projection.weight", 0.02, c.projectionDim(), th);
        w.add("logit_scale", new long[0], new float[] {(float) Math.log(1 / 0.07)});
        w.write(file);
    }

    private static void layer(
            SafetensorsWriter w, SplittableRandom random, String prefix, int hidden, int inter) {
        for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
            rand(w, random, prefix + "self_attn." + proj + ".weight", 0.02, hidden, hidden);
            rand(w, random, prefix + "self_attn." + proj + ".bias", 0.01, hidden);
        }
        layerNorm(w, random, prefix + "layer_norm1.", hidden);
        rand(w, random, prefix + "mlp.fc1.weight", 0.02, inter, hidden);
        rand(w, random, prefix + "mlp.fc1.bias", 0.01, inter);
        rand(w, random, prefix + "mlp.fc2.weight", 0.02, hidden, inter);
        rand(w, random, prefix + "mlp.fc2.bias", 0.01, hidden);
        layerNorm(w, random, prefix + "layer_norm2.", hidden);
    }

    private static void layerNorm(
            SafetensorsWriter w, SplittableRandom random, String prefix, int hidden) {
        SplittableRandom r1 = random.split();
        SplittableRandom r2 = random.split();
        w.add(prefix + "weight", new long[] {hidden}, i -> 1 + 0.1 * (r1.nextDouble() - 0.5));
        w.add(prefix + "bias", new long[] {hidden}, i -> 0.1 * (r2.nextDouble() - 0.5));
    }

    /** Uniform values with the given standard deviation. */
    private static void rand(
            SafetensorsWriter w, SplittableRandom random, String name, double std, long... shape) {
        SplittableRandom r = random.split();
        double half = std * Math.sqrt(3);
        w.add(name, shape, i -> (r.nextDouble() * 2 - 1) * half);
    }
}
