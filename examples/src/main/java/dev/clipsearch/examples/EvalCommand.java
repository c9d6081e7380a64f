package dev.clipsearch.examples;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.dataset.ClassNames;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.search.Evaluation;
import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip-search eval}: zero-shot top-1 and text-to-image precision@10 on a labelled split. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description =
                "Index the split (or reuse the index), then measure zero-shot top-1 accuracy and "
                        + "text-to-image precision@10 with one prompt per class.")
final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin DatasetOptions data;

    @Mixin IndexingOptions indexing;

    @Option(
            names = "--template",
            description = "Prompt template; {} is the class name (default: \"${DEFAULT-VALUE}\").")
    String template = Evaluation.DEFAULT_TEMPLATE;

    @Option(
            names = "--json",
            description =
                    "Print {\"zero_shot_top1\", \"text_to_image_precision_at_10\", "
                            + "\"images\", \"classes\"} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        common.announcePrecision(spec.commandLine().getErr());
        ImageIndexer.Options options =
                indexing.indexerOptions(common, data).progress(ConsoleProgress.onStderr());
        Evaluation.Result result;
        try (ClipModel model =
                ClipModels.fromPretrained(common.model, common.hub(), common.modelOptions())) {
            HfDataset dataset = HfDatasets.load(data.dataset, common.hub());
            try (VectorStore store =
                    VectorStores.open(common.store, common.table, model.dimension())) {
                IndexSummary summary = ImageIndexer.index(model, dataset, store, options, null);
                if (!json) {
                    spec.commandLine().getErr().println(summary.toText());
                }
                result =
                        Evaluation.run(
                                model.textEncoder(),
                                store,
                                ClassNames.labelNames(dataset, indexing.classNames),
                                template,
                                ImageIndexer.sourceOf(dataset, data.split));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? result.toJson() : result.toText());
        out.flush();
        return 0;
    }
}
