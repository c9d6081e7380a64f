package dev.clipsearch.examples;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the gallery web app listens: {@code --host}, {@code --port}, {@code --allowed-host}. */
final class ServerOptions {
    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port = 7860;

    @Option(
            names = "--host",
            description =
                    "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it to the network,"
                            + " with a warning).")
    String host = "127.0.0.1";

    @Option(
            names = "--allowed-host",
            split = ",",
            paramLabel = "NAME",
            description =
                    "A Host name the gallery answers besides localhost, 127.0.0.1, [::1] and the"
                            + " bound address (repeatable; * answers any: no DNS-rebinding guard).")
    List<String> allowedHosts = new ArrayList<>();

    /** The server's options: these plus the default limits. */
    GalleryServer.Options toOptions() {
        return GalleryServer.Options.builder()
                .address(host, port)
                .allowedHosts(allowedHosts)
                .build();
    }
}
