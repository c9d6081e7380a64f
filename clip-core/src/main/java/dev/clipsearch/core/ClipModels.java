package dev.clipsearch.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubRepo;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads CLIP models from Hugging Face checkpoints, e.g. {@code openai/clip-vit-base-patch32}, with
 * no conversion step: a model directory holds {@code config.json}, {@code model.safetensors} (F32,
 * F16 or BF16), {@code tokenizer.json} and {@code preprocessor_config.json}. Embeddings match
 * transformers' {@code CLIPModel.get_image_features} / {@code get_text_features} (normalised unless
 * {@link EmbeddingMode#RAW}).
 *
 * <p>DJL runs offline and without usage tracking (see {@link DjlEnvironment}).
 */
public final class ClipModels {

    private static final Logger LOG = LoggerFactory.getLogger(ClipModels.class);

    /** The files {@link #fromPretrained(String)} fetches from the Hub. */
    static final String[] MODEL_FILES = {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "preprocessor_config.json"
    };

    private ClipModels() {}

    /**
     * Loads a model directory on the CPU.
     *
     * @throws ModelLoadException naming the file and the problem if a file is missing or malformed
     *     (including a tensor that is missing or whose shape disagrees with {@code config.json})
     */
    public static ClipModel load(Path modelDir) {
        return load(modelDir, ClipModelOptions.defaults());
    }

    /**
     * Loads a model directory with options.
     *
     * <p>Devices: {@code cpu}; {@code gpu} needs a CUDA build of PyTorch for DJL on the class path
     * (an {@code ai.djl.pytorch:pytorch-native-cu*} artifact instead of {@code pytorch-native-cpu})
     * and a visible device, and fails with an {@link IllegalStateException} otherwise; {@code auto}
     * takes the GPU when DJL sees one, else the CPU.
     *
     * @throws ModelLoadException naming the file and the problem if a file is missing or malformed
     */
    public static ClipModel load(Path modelDir, ClipModelOptions options) {
        DjlEnvironment.ensureOffline();
        if (!Files.isDirectory(modelDir)) {
            throw new ModelLoadException(
                    modelDir
                            + ": not a directory (expected a CLIP model directory with "
                            + "config.json, model.safetensors, tokenizer.json, preprocessor_config.json)");
        }
        ClipConfig config = ClipConfig.load(modelDir.resolve("config.json"));
        Path weights = modelDir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            String hint =
                    Files.exists(modelDir.resolve("pytorch_model.bin"))
                            ? " (only pytorch_model.bin is present: safetensors weights are required)"
                            : "";
            throw new ModelLoadException(weights + ": file not found" + hint);
        }
        Path preprocessorConfig = modelDir.resolve("preprocessor_config.json");
        if (!Files.isRegularFile(preprocessorConfig)) {
            throw new ModelLoadException(preprocessorConfig + ": file not found");
        }
        ClipImagePreprocessor preprocessor;
        try {
            preprocessor = ClipImagePreprocessor.fromConfig(preprocessorConfig);
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelLoadException(preprocessorConfig + ": " + e.getMessage(), e);
        }
        if (preprocessor.imageSize() != config.vision().imageSize()) {
            throw new ModelLoadException(
                    preprocessorConfig
                            + ": crop size "
                            + preprocessor.imageSize()
                            + " differs from vision_config.image_size "
                            + config.vision().imageSize());
        }
        Device device = resolveDevice(options.device());
        if (options.threads() > 0) {
            DjlEnvironment.engine(); // loads the native library first
            JniUtils.setNumThreads(options.threads());
        }
        ClipTokenizer tokenizer =
                ClipTokenizer.load(
                        modelDir.resolve("tokenizer.json"), config.text().maxPositionEmbeddings());
        try {
            long start = System.nanoTime();
            Precision precision =
                    options.precision().resolve(CpuFeatures.current(), device.equals(Device.cpu()));
            ClipNetwork network = new ClipNetwork(config, weights, device, precision);
            LOG.debug(
                    "Loaded CLIP from {} on {} ({}) in {} ms",
                    modelDir,
                    device,
                    precision,
                    (System.nanoTime() - start) / 1_000_000);
            return new DefaultClipModel(network, tokenizer, preprocessor);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Loads a model from a directory, if {@code repoIdOrDirectory} names an existing one, else from
     * the Hugging Face Hub repository of that id (e.g. {@code openai/clip-vit-base-patch32})
     * through {@link HfHub#fromEnvironment()} (honours {@code HF_ENDPOINT}, {@code HF_HOME}, {@code
     * HF_HUB_CACHE}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}).
     */
    public static ClipModel fromPretrained(String repoIdOrDirectory) {
        Path dir = asDirectory(repoIdOrDirectory);
        if (dir != null) {
            return load(dir);
        }
        return fromPretrained(repoIdOrDirectory, HfHub.fromEnvironment());
    }

    /**
     * Loads a model from a directory, if {@code repoIdOrDirectory} names an existing one, else from
     * a Hub repository with the given client: {@code config.json}, {@code model.safetensors},
     * {@code tokenizer.json}, {@code tokenizer_config.json} and {@code preprocessor_config.json}
     * are downloaded into the client's cache (huggingface_hub's layout, shared with Python) unless
     * all of them are cached already, in which case no request is made. A name that can only be a
     * path ({@code /...}, {@code ./...}, {@code ~...}) but is no directory is an error, not a repo
     * id.
     */
    public static ClipModel fromPretrained(String repoIdOrDirectory, HfHub hub) {
        return fromPretrained(repoIdOrDirectory, hub, ClipModelOptions.defaults());
    }

    /** {@link #fromPretrained(String, HfHub)} with load options (device, threads). */
    public static ClipModel fromPretrained(
            String repoIdOrDirectory, HfHub hub, ClipModelOptions options) {
        Path dir = asDirectory(repoIdOrDirectory);
        if (dir != null) {
            return load(dir, options);
        }
        if (repoIdOrDirectory.startsWith("/")
                || repoIdOrDirectory.startsWith(".")
                || repoIdOrDirectory.startsWith("~")) {
            throw new ModelLoadException("Model directory not found: " + repoIdOrDirectory);
        }
        return load(snapshot(HubRepo.model(repoIdOrDirectory), hub), options);
    }

    /** The local snapshot directory holding all model files, downloading what is missing. */
    static Path snapshot(HubRepo repo, HfHub hub) {
        List<Path> cached = new ArrayList<>();
        for (String file : MODEL_FILES) {
            Optional<Path> path = hub.cached(repo, file);
            if (path.isEmpty()) {
                break;
            }
            cached.add(path.get());
        }
        if (cached.size() == MODEL_FILES.length
                && cached.stream().map(Path::getParent).distinct().count() == 1) {
            LOG.debug("Using cached snapshot {} of {}", cached.get(0).getParent(), repo);
            return cached.get(0).getParent();
        }
        LOG.info("Downloading {} from {}", repo, hub.endpoint());
        return hub.downloadSnapshot(repo, List.of(MODEL_FILES));
    }

    private static Path asDirectory(String name) {
        try {
            Path p = Path.of(name);
            return Files.isDirectory(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    static Device resolveDevice(String name) {
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        Engine engine = DjlEnvironment.engine();
        // both: the PyTorch build must have CUDA, and a device must be visible
        boolean cudaBuild = engine.hasCapability(StandardCapabilities.CUDA);
        if (cudaBuild && engine.getGpuCount() > 0) {
            return Device.gpu();
        }
        if (name.equals("gpu")) {
            throw new IllegalStateException(
                    "device 'gpu' requested but DJL's PyTorch engine sees no GPU "
                            + "(PyTorch "
                            + engine.getVersion()
                            + (cudaBuild ? " with CUDA, but no visible device" : ", CPU-only build")
                            + "; a CUDA build, ai.djl.pytorch:pytorch-native-cu*, must be"
                            + " on the class path and a CUDA device visible). Use 'cpu' or 'auto'.");
        }
        return Device.cpu();
    }
}
