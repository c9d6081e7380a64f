package dev.clipsearch.examples;

import dev.clipsearch.core.ClipConfig;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.examples.bench.EncoderBenchmark;
import dev.clipsearch.examples.bench.IngestBenchmark;
import dev.clipsearch.examples.bench.StoreBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip-search bench encoders|store|ingest}. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks.",
        subcommands = {
            BenchCommand.Encoders.class,
            BenchCommand.Store.class,
            BenchCommand.Ingest.class
        })
final class BenchCommand {

    private static void print(CommandSpec spec, String text) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(text);
        out.flush();
    }

    /** {@code bench encoders}: image and text encoder throughput of a ViT-B/32-sized CLIP. */
    @Command(
            name = "encoders",
            mixinStandardHelpOptions = true,
            description =
                    "Image throughput (batch 1, 8, 32) and text latency of a CLIP with random weights of the "
                            + "given architecture (default: ViT-B/32), against this machine's matrix-multiply roofline, "
                            + "in FP32 and in BF16.")
    static final class Encoders implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description =
                        "A CLIP config.json whose architecture to measure (default: ViT-B/32).")
        Path config;

        @Option(
                names = "--threads",
                paramLabel = "N",
                description = "PyTorch threads (default: PyTorch's).")
        int threads;

        @Option(
                names = "--seconds",
                paramLabel = "S",
                description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
        double seconds = EncoderBenchmark.Options.defaults().minSecondsPerMeasurement();

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            EncoderBenchmark.Options d = EncoderBenchmark.Options.defaults();
            EncoderBenchmark.Options options =
                    new EncoderBenchmark.Options(
                            config == null ? d.config() : ClipConfig.load(config),
                            threads,
                            seconds,
                            d.textLatencySamples(),
                            d.seed());
            EncoderBenchmark.Report result = EncoderBenchmark.run(options);
            print(spec, json ? result.toJson() : result.toTable());
            return 0;
        }
    }

    /** {@code bench store}: ingest rate, query latency and recall of a store at several sizes. */
    @Command(
            name = "store",
            mixinStandardHelpOptions = true,
            description =
                    "Upsert rate, top-10 query latency (p50, p95), recall@10 and fetch-by-id latency of a vector store at several "
                            + "table sizes.")
    static final class Store implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--store",
                paramLabel = "URI",
                description =
                        "Store URI (default: a temporary Lance directory, deleted afterwards).")
        String store;

        @Option(
                names = "--sizes",
                split = ",",
                paramLabel = "N",
                description = "Table sizes (default: 10000,100000,1000000).")
        List<Integer> sizes;

        @Option(
                names = "--queries",
                paramLabel = "N",
                description = "Timed queries and fetches by id per size (default: 200).")
        Integer queries;

        @Option(
                names = "--no-index",
                description =
                        "createIndex(NONE) instead of AUTO after ingest: exact search, only the id"
                                + " index; measures fetch-by-id at large sizes without the vector"
                                + " index build.")
        boolean noIndex;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            StoreBenchmark.Options o = StoreBenchmark.Options.defaults();
            if (sizes != null) {
                o = o.withSizes(sizes);
            }
            if (store != null) {
                o = o.withStoreUri(store);
            }
            if (queries != null) {
                o = o.withQueries(queries);
            }
            o = o.withBuildIndex(!noIndex);
            StoreBenchmark.Result result = StoreBenchmark.run(o);
            print(spec, json ? result.toJson() : result.toTable());
            return 0;
        }
    }

    /** {@code bench ingest}: the whole pipeline against the encoder alone. */
    @Command(
            name = "ingest",
            mixinStandardHelpOptions = true,
            description =
                    "Images/s of the whole indexing pipeline vs the encoder alone (target: within 15%%);"
                            + " random ViT-B/32 weights unless --model is given; writes to a"
                            + " temporary Lance table unless --store is given.")
    static final class Ingest implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ModelOptions common;

        @Mixin DatasetOptions data;

        @Mixin EncodingOptions encoding;

        @Option(
                names = "--store",
                paramLabel = "URI",
                description =
                        "Store the pipeline writes to, in a new table ingest_bench_* emptied"
                                + " afterwards (default: a temporary Lance table).")
        String store;

        @Option(
                names = "--images",
                paramLabel = "N",
                description = "Images to use (default: ${DEFAULT-VALUE}).")
        int images = 512;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            IngestBenchmark.Options defaults = IngestBenchmark.Options.defaults();
            int n = data.limit > 0 ? (int) Math.min(Integer.MAX_VALUE, data.limit) : images;
            IngestBenchmark.Options options =
                    new IngestBenchmark.Options(
                            n,
                            encoding.batchSize,
                            encoding.workers != null ? encoding.workers : defaults.workers(),
                            data.split,
                            store); // null: a temporary Lance table
            IngestBenchmark.Result result;
            common.announcePrecision(spec.commandLine().getErr());
            HfDataset dataset = HfDatasets.load(data.dataset, common.hub());
            if (spec.commandLine().getParseResult().hasMatchedOption("--model")) {
                try (ClipModel model =
                        ClipModels.fromPretrained(
                                common.model, common.hub(), common.modelOptions())) {
                    result = IngestBenchmark.run(model, dataset, options);
                }
            } else {
                // no --model: random weights of the real ViT-B/32 size, as bench encoders uses
                result =
                        IngestBenchmark.runWithRandomVitB32(
                                dataset, options, common.modelOptions());
            }
            print(spec, json ? result.toJson() : result.toTable());
            return 0;
        }
    }
}
