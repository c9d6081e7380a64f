package dev.clipsearch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The architecture of a CLIP checkpoint, read from a Hugging Face {@code config.json} ({@code
 * CLIPModel}, with {@code text_config} and {@code vision_config}). Missing fields take
 * transformers' defaults (ViT-B/32 sizes).
 *
 * @param text the text tower
 * @param vision the vision tower
 * @param projectionDim the size of the shared embedding space
 */
public record ClipConfig(TextConfig text, VisionConfig vision, int projectionDim) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The activation of the MLP blocks. */
    public enum Activation {
        /** {@code x * sigmoid(1.702 x)}, OpenAI's original. */
        QUICK_GELU,
        /** Exact (erf) GELU. */
        GELU;

        static Activation parse(String name, String where) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "quick_gelu" -> QUICK_GELU;
                case "gelu" -> GELU;
                default ->
                        throw new ModelLoadException(
                                where
                                        + ": unsupported hidden_act '"
                                        + name
                                        + "' (supported: quick_gelu, gelu)");
            };
        }

        String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The text tower.
     *
     * @param eosTokenId {@code text_config.eos_token_id}
     * @param poolAtArgmax the legacy rule: when {@code eos_token_id} is 2 (old OpenAI configs) the
     *     pooled token is at the argmax of the input ids (where {@code <|endoftext|>} 49407 sits);
     *     otherwise at the first {@code eos_token_id}
     */
    public record TextConfig(
            int vocabSize,
            int hiddenSize,
            int intermediateSize,
            int numLayers,
            int numHeads,
            int maxPositionEmbeddings,
            Activation hiddenAct,
            double layerNormEps,
            int eosTokenId,
            boolean poolAtArgmax) {

        /** Size of one attention head. */
        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    /** The vision tower (a ViT). */
    public record VisionConfig(
            int hiddenSize,
            int intermediateSize,
            int numLayers,
            int numHeads,
            int imageSize,
            int patchSize,
            int numChannels,
            Activation hiddenAct,
            double layerNormEps) {

        /** Patches per side. */
        public int gridSize() {
            return imageSize / patchSize;
        }

        /** Tokens per image: patches plus the class token. */
        public int numPositions() {
            return gridSize() * gridSize() + 1;
        }

        /** Size of one attention head. */
        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    /**
     * Reads a {@code config.json}.
     *
     * @throws ModelLoadException naming the file if it is missing, not JSON or inconsistent
     */
    public static ClipConfig load(Path configJson) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(
                    configJson + ": file not found (a CLIP model directory needs config.json)");
        } catch (IOException e) {
            throw new ModelLoadException(
                    configJson + ": not a valid JSON config: " + e.getMessage(), e);
        }
        return fromJson(root, configJson.toString());
    }

    /** Parses the JSON of a {@code config.json}; {@code source} names it in error messages. */
    public static ClipConfig fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(source + ": not a JSON object");
        }
        String modelType = root.path("model_type").asText("clip");
        if (!modelType.equals("clip")) {
            throw new ModelLoadException(
                    source + ": model_type is '" + modelType + "', expected 'clip'");
        }
        JsonNode t = firstObject(root, "text_config", "text_config_dict");
        JsonNode v = firstObject(root, "vision_config", "vision_config_dict");
        int projection = root.path("projection_dim").asInt(512);
        int eos = t.path("eos_token_id").asInt(49407);
        TextConfig text =
                new TextConfig(
                        t.path("vocab_size").asInt(49408),
                        t.path("hidden_size").asInt(512),
                        t.path("intermediate_size").asInt(2048),
                        t.path("num_hidden_layers").asInt(12),
                        t.path("num_attention_heads").asInt(8),
                        t.path("max_position_embeddings").asInt(77),
                        Activation.parse(
                                t.path("hidden_act").asText("quick_gelu"), source + " text_config"),
                        t.path("layer_norm_eps").asDouble(1e-5),
                        eos,
                        eos == 2);
        VisionConfig vision =
                new VisionConfig(
                        v.path("hidden_size").asInt(768),
                        v.path("intermediate_size").asInt(3072),
                        v.path("num_hidden_layers").asInt(12),
                        v.path("num_attention_heads").asInt(12),
                        v.path("image_size").asInt(224),
                        v.path("patch_size").asInt(32),
                        v.path("num_channels").asInt(3),
                        Activation.parse(
                                v.path("hidden_act").asText("quick_gelu"),
                                source + " vision_config"),
                        v.path("layer_norm_eps").asDouble(1e-5));
        ClipConfig config = new ClipConfig(text, vision, projection);
        config.validate(source);
        return config;
    }

    private static JsonNode firstObject(JsonNode root, String... names) {
        for (String n : names) {
            JsonNode node = root.get(n);
            if (node != null && node.isObject()) {
                return node;
            }
        }
        return JSON.createObjectNode();
    }

    private void validate(String source) {
        positive(source, "projection_dim", projectionDim);
        positive(source, "text_config.hidden_size", text.hiddenSize);
        positive(source, "text_config.num_attention_heads", text.numHeads);
        positive(source, "text_config.num_hidden_layers", text.numLayers);
        positive(source, "text_config.max_position_embeddings", text.maxPositionEmbeddings);
        positive(source, "vision_config.hidden_size", vision.hiddenSize);
        positive(source, "vision_config.num_attention_heads", vision.numHeads);
        positive(source, "vision_config.num_hidden_layers", vision.numLayers);
        positive(source, "vision_config.patch_size", vision.patchSize);
        headsDivideHidden(source, "text_config", text.hiddenSize, text.numHeads);
        headsDivideHidden(source, "vision_config", vision.hiddenSize, vision.numHeads);
        if (vision.imageSize % vision.patchSize != 0) {
            throw new ModelLoadException(
                    source
                            + ": vision_config.image_size "
                            + vision.imageSize
                            + " is not a multiple of patch_size "
                            + vision.patchSize);
        }
    }

    private static void headsDivideHidden(
            String source, String tower, int hiddenSize, int numHeads) {
        if (hiddenSize % numHeads != 0) {
            throw new ModelLoadException(
                    source
                            + ": "
                            + tower
                            + ".hidden_size "
                            + hiddenSize
                            + " is not divisible by num_attention_heads "
                            + numHeads);
        }
    }

    private static void positive(String source, String field, int value) {
        if (value <= 0) {
            throw new ModelLoadException(source + ": " + field + " must be positive, got " + value);
        }
    }

    /** The sizes of openai/clip-vit-base-patch32. */
    public static ClipConfig vitB32() {
        return new ClipConfig(
                new TextConfig(49408, 512, 2048, 12, 8, 77, Activation.QUICK_GELU, 1e-5, 2, true),
                new VisionConfig(768, 3072, 12, 12, 224, 32, 3, Activation.QUICK_GELU, 1e-5),
                512);
    }

    /**
     * Approximate floating-point operations (2 per multiply-add) of one image through the vision
     * tower and projection: matrix products only (patch embedding, attention, MLP, projection).
     */
    public double imageFlops() {
        VisionConfig c = vision;
        double t = c.numPositions();
        double h = c.hiddenSize;
        double patches = (double) c.gridSize() * c.gridSize();
        double patchEmbed = 2 * patches * c.numChannels * c.patchSize * c.patchSize * h;
        double perLayer =
                2 * t * h * 3 * h // qkv
                        + 2 * t * t * h * 2 // scores and weighted sum
                        + 2 * t * h * h // out projection
                        + 2 * t * h * c.intermediateSize * 2; // mlp
        return patchEmbed + c.numLayers * perLayer + 2 * h * projectionDim;
    }

    /** This configuration as a Hugging Face {@code config.json} tree. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("CLIPModel");
        root.put("model_type", "clip");
        root.put("projection_dim", projectionDim);
        root.put("logit_scale_init_value", 2.6592);
        ObjectNode t = root.putObject("text_config");
        t.put("model_type", "clip_text_model");
        t.put("vocab_size", text.vocabSize);
        t.put("hidden_size", text.hiddenSize);
        t.put("intermediate_size", text.intermediateSize);
        t.put("num_hidden_layers", text.numLayers);
        t.put("num_attention_heads", text.numHeads);
        t.put("max_position_embeddings", text.maxPositionEmbeddings);
        t.put("hidden_act", text.hiddenAct.configName());
        t.put("layer_norm_eps", text.layerNormEps);
        t.put("eos_token_id", text.eosTokenId);
        t.put("projection_dim", projectionDim);
        ObjectNode v = root.putObject("vision_config");
        v.put("model_type", "clip_vision_model");
        v.put("hidden_size", vision.hiddenSize);
        v.put("intermediate_size", vision.intermediateSize);
        v.put("num_hidden_layers", vision.numLayers);
        v.put("num_attention_heads", vision.numHeads);
        v.put("image_size", vision.imageSize);
        v.put("patch_size", vision.patchSize);
        v.put("num_channels", vision.numChannels);
        v.put("hidden_act", vision.hiddenAct.configName());
        v.put("layer_norm_eps", vision.layerNormEps);
        v.put("projection_dim", projectionDim);
        return root;
    }
}
