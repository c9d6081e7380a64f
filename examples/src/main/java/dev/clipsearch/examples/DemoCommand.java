package dev.clipsearch.examples;

import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code clip-search demo}: index what is missing, then serve the gallery. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Index the dataset unless the table already holds it, then serve the gallery.")
final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin DatasetOptions data;

    @Mixin IndexingOptions indexing;

    @Mixin ServerOptions server;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        common.announcePrecision(spec.commandLine().getErr());
        common.checkStore();
        long have = storedRows();
        long want = HfDatasets.load(data.dataset, common.hub()).split(data.split).size();
        if (data.limit > 0) {
            want = Math.min(want, data.limit);
        }
        if (have < want) {
            out.println(
                    "Table "
                            + common.table
                            + " holds "
                            + have
                            + " of "
                            + want
                            + " images; indexing the rest.");
            out.flush();
            IndexSummary summary = indexing.index(common, data);
            out.println(summary.toText());
        }
        ServeCommand.serve(common, server, out, spec.commandLine().getErr());
        return 0;
    }

    private long storedRows() {
        try (VectorStore s = VectorStores.openExisting(common.store, common.table)) {
            return s.count();
        } catch (StoreNotFoundException e) {
            return 0; // no table yet
        }
    }
}
