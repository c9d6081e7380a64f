package dev.clipsearch.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Test fixtures: complete Hugging Face CLIP model directories assembled from class-path resources
 * (so this works from clip-core's test-jar too). The resources keep one copy of the (identical)
 * tokenizer files under {@code models/tokenizer/} and per model only {@code config.json}, {@code
 * model.safetensors} and {@code preprocessor_config.json}.
 *
 * <ul>
 *   <li>{@link #tinyClip}: random tiny CLIP, F32, quick_gelu, patch 32 on 224, legacy (argmax)
 *       pooling, 512-d; transformers reference outputs in {@code clip-reference/}.
 *   <li>{@link #tinyClipB16GeluBf16}: random, BF16 on disk, exact GELU, patch 16, pooling at the
 *       first eos, 256-d; reference embeddings in {@code
 *       models/tiny-clip-b16-gelu-bf16/reference-embeds.safetensors}.
 *   <li>{@link #tinyClipTinyImagenet}: a small CLIP trained on Tiny ImageNet, F16, 64x64 input,
 *       512-d; its raw features of 8 validation images (in {@code
 *       models/tinyclip-tinyimagenet/images/}) and 8 prompts in {@code
 *       models/tinyclip-tinyimagenet/reference-embeddings.json}.
 * </ul>
 */
public final class TestModels {

    /** Class-path folder of the model fixtures. */
    public static final String ROOT = "/models/";

    private static final String[] TOKENIZER_FILES = {"tokenizer.json", "tokenizer_config.json"};
    private static final String[] MODEL_FILES = {
        "config.json", "model.safetensors", "preprocessor_config.json"
    };

    /** The exact path, for parity tests (the library default is {@link Precision#AUTO}). */
    public static final ClipModelOptions FP32 =
            ClipModelOptions.defaults().withPrecision(Precision.FP32);

    /** The bf16 path, on any CPU. */
    public static final ClipModelOptions BF16 =
            ClipModelOptions.defaults().withPrecision(Precision.BF16);

    private TestModels() {}

    /**
     * The random tiny CLIP (F32, quick_gelu, ViT-B/32 geometry, legacy pooling), in {@code
     * tempDir/tiny-clip}.
     */
    public static Path tinyClip(Path tempDir) {
        return assemble("tiny-clip", tempDir);
    }

    /**
     * The random BF16 CLIP (gelu, patch 16, first-eos pooling, 256-d), in {@code
     * tempDir/tiny-clip-b16-gelu-bf16}.
     */
    public static Path tinyClipB16GeluBf16(Path tempDir) {
        return assemble("tiny-clip-b16-gelu-bf16", tempDir);
    }

    /** The trained Tiny ImageNet CLIP (F16, 64x64), in {@code tempDir/tinyclip-tinyimagenet}. */
    public static Path tinyClipTinyImagenet(Path tempDir) {
        return assemble("tinyclip-tinyimagenet", tempDir);
    }

    private static Path assemble(String name, Path tempDir) {
        Path dir = tempDir.resolve(name);
        try {
            Files.createDirectories(dir);
            for (String file : MODEL_FILES) {
                copyResource(ROOT + name + "/" + file, dir.resolve(file));
            }
            for (String file : TOKENIZER_FILES) {
                copyResource(ROOT + "tokenizer/" + file, dir.resolve(file));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot assemble test model " + name + " in " + tempDir, e);
        }
    }

    /**
     * Copies a class-path resource (absolute name, e.g. {@code
     * /clip-reference/reference.safetensors}) to a file and returns it.
     */
    public static Path copyResource(String resource, Path target) throws IOException {
        try (InputStream in = TestModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("test resource " + resource + " not found on the class path");
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** The bytes of a class-path resource. */
    public static byte[] resourceBytes(String resource) {
        try (InputStream in = TestModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("test resource " + resource + " not found on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
