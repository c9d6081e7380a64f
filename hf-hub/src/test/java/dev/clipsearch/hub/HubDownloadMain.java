package dev.clipsearch.hub;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Test helper run in a second JVM: downloads one file and prints its cached path. Args: endpoint
 * cacheDir model|dataset repoId path.
 */
public final class HubDownloadMain {

    private HubDownloadMain() {}

    public static void main(String[] args) {
        HfHub hub =
                HfHub.builder()
                        .endpoint(args[0])
                        .cacheDir(Path.of(args[1]))
                        .retryBackoff(Duration.ofMillis(20))
                        .maxRetries(3)
                        .build();
        HubRepo repo =
                args[2].equals("dataset") ? HubRepo.dataset(args[3]) : HubRepo.model(args[3]);
        System.out.println(hub.download(repo, args[4]));
    }
}
