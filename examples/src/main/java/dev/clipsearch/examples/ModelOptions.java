package dev.clipsearch.examples;

import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.Precision;
import dev.clipsearch.hub.ConsoleProgressBar;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.search.ImageIndexer;
import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** Which CLIP model a command loads, and how: {@code --model} and {@code --precision}. */
class ModelOptions {
    /**
     * Makes the Hub client of the commands: from the environment by default; tests point it at a
     * local address.
     */
    static Supplier<HfHub.Builder> hubBuilder = HfHub::builderFromEnvironment;

    @Option(
            names = "--model",
            paramLabel = "REPO|DIR",
            description =
                    "CLIP model: a Hugging Face repo id or a local model directory (default: ${DEFAULT-VALUE}).")
    String model = ImageIndexer.DEFAULT_MODEL;

    @Option(
            names = "--precision",
            paramLabel = "FP32|BF16|AUTO",
            description =
                    "Encoder precision: FP32 (exact, transformers' numbers), BF16 (bf16 matrix "
                            + "products, about 3x faster on CPUs with native bf16) or AUTO (BF16 where "
                            + "the CPU has native bf16, else FP32) (default: ${DEFAULT-VALUE}).")
    Precision precision = Precision.AUTO;

    private HfHub hub;

    /** How to load the model: {@code --precision} on the CPU. */
    ClipModelOptions modelOptions() {
        return ClipModelOptions.defaults().withPrecision(precision);
    }

    /**
     * Says which precision the encoders will use, as the command's first line of output: on stderr,
     * so that JSON on stdout stays parseable.
     */
    void announcePrecision(PrintWriter err) {
        err.println(precisionLine(precision));
        err.flush();
    }

    static String precisionLine(Precision requested) {
        Precision used = requested.onThisCpu();
        String why =
                requested != Precision.AUTO
                        ? "as requested"
                        : used == Precision.BF16
                                ? "AUTO: this CPU has native bf16"
                                : "AUTO: this CPU has no native bf16";
        return "Precision: " + used + " (" + why + ")";
    }

    /** The Hub client: configured from the environment, with a download progress bar on stderr. */
    HfHub hub() {
        if (hub == null) {
            hub = consoleHub();
        }
        return hub;
    }

    /** A Hub client configured from the environment, with a download progress bar on stderr. */
    static HfHub consoleHub() {
        return hubBuilder.get().listener(new ConsoleProgressBar(System.err)).build();
    }
}
