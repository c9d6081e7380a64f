package dev.clipsearch.examples;

import dev.clipsearch.hub.HubException;
import dev.clipsearch.hub.HubNetworkException;
import dev.clipsearch.hub.HubOfflineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The error of a first run without the Hub: when the Hub cannot be reached (or offline mode is on)
 * and the Hugging Face cache holds no repository, offline mode cannot help; the way forward is a
 * local model directory and a local dataset.
 */
final class FirstRunHelp {
    static final String LOCAL_COPIES =
            "give local copies instead: --model DIR (a CLIP checkpoint directory with config.json,"
                    + " model.safetensors, tokenizer.json and preprocessor_config.json) and"
                    + " --dataset DIR|FILE (a Hub-layout dataset directory, a parquet file or a"
                    + " folder of class/*.jpg)";

    private FirstRunHelp() {}

    /**
     * The message for {@code e} when it (or a cause) is a Hub network or offline failure and the
     * cache at {@code cacheDir} holds no repository; null otherwise (the usual message applies).
     */
    static String message(Throwable e, Path cacheDir) {
        HubException hub = hubFailure(e);
        if (hub == null || holdsRepositories(cacheDir)) {
            return null;
        }
        String m = hub.getMessage() == null ? "" : hub.getMessage();
        int offlineHint = m.indexOf("; to use only files already in the cache");
        if (offlineHint >= 0) {
            m = m.substring(0, offlineHint) + ".";
        }
        String why =
                hub instanceof HubOfflineException
                        ? "Offline mode is on and the Hugging Face cache ("
                                + cacheDir
                                + ") is empty"
                        : "The Hugging Face Hub cannot be reached and its cache ("
                                + cacheDir
                                + ") is empty, so offline mode (HF_HUB_OFFLINE) cannot help";
        return why + ": " + LOCAL_COPIES + ". (" + m.replace('\n', ' ') + ")";
    }

    private static HubException hubFailure(Throwable e) {
        for (int depth = 0; e != null && depth < 8; depth++, e = e.getCause()) {
            if (e instanceof HubNetworkException || e instanceof HubOfflineException) {
                return (HubException) e;
            }
        }
        return null;
    }

    /** Whether the cache holds any model or dataset repository ({@code models--*}, ...). */
    static boolean holdsRepositories(Path cacheDir) {
        if (cacheDir == null || !Files.isDirectory(cacheDir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(cacheDir)) {
            return entries.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.startsWith("models--") || n.startsWith("datasets--"));
        } catch (IOException e) {
            return false;
        }
    }
}
