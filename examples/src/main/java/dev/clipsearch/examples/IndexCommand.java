package dev.clipsearch.examples;

import dev.clipsearch.search.IndexSummary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code clip-search index}: encode a dataset split into the store; resumable. */
@Command(
        name = "index",
        mixinStandardHelpOptions = true,
        description =
                "Encode every image of a dataset split with CLIP and store it. A rerun resumes: rows already "
                        + "stored are skipped. Unreadable rows are skipped and reported.")
final class IndexCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin DatasetOptions data;

    @Mixin IndexingOptions indexing;

    @Override
    public Integer call() {
        Thread interrupted =
                new Thread(
                        () ->
                                System.err.println(
                                        System.lineSeparator()
                                                + "Interrupted: every batch written so far is stored; run the same command again to resume."));
        Runtime.getRuntime().addShutdownHook(interrupted);
        common.announcePrecision(spec.commandLine().getErr());
        IndexSummary summary;
        try {
            summary = indexing.index(common, data);
        } finally {
            removeQuietly(interrupted);
        }
        spec.commandLine().getOut().println(summary.toText());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already
        }
    }
}
