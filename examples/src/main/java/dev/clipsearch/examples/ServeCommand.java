package dev.clipsearch.examples;

import dev.clipsearch.search.ImageSearch;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code clip-search serve}: the gallery web app, until Ctrl-C. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve the search gallery web page (until Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin ServerOptions server;

    @Override
    public Integer call() throws IOException, InterruptedException {
        common.announcePrecision(spec.commandLine().getErr());
        serve(common, server, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /** Serves until the JVM shuts down. */
    static void serve(CommonOptions common, ServerOptions options, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        String host = options.host;
        int port = options.port;
        ImageSearch search =
                ImageSearch.open(
                        common.model,
                        common.store,
                        common.table,
                        common.hub(),
                        common.modelOptions(),
                        common.allowModelMismatch);
        GalleryServer server;
        try {
            server = GalleryServer.start(search, options.toOptions());
        } catch (IOException | RuntimeException e) {
            search.close();
            throw new IOException(
                    "Cannot serve on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    search.close();
                                    stopped.countDown();
                                },
                                "gallery-shutdown"));
        server.exposureWarning()
                .ifPresent(
                        warning -> {
                            err.println(warning);
                            err.flush();
                        });
        out.println(
                "Gallery: "
                        + server.url()
                        + "  ("
                        + search.store().count()
                        + " images in table "
                        + common.table
                        + "; Ctrl-C stops)");
        out.flush();
        stopped.await();
    }
}
