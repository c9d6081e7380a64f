package dev.clipsearch.examples;

import picocli.CommandLine.Option;

/** Where the gallery web app listens: {@code --host} and {@code --port}. */
final class ServerOptions {
    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port = 7860;

    @Option(
            names = "--host",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it).")
    String host = "127.0.0.1";
}
