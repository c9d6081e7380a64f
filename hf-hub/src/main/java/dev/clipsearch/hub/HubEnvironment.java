package dev.clipsearch.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads huggingface_hub's environment variables for {@link HfHub#builderFromEnvironment()}: cache
 * location ({@code HF_HUB_CACHE}, {@code HF_HOME}, {@code XDG_CACHE_HOME}), token ({@code HF_TOKEN}
 * or the token file), offline switches and timeouts.
 */
final class HubEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(HubEnvironment.class);

    private HubEnvironment() {}

    static Path defaultCacheDir(Map<String, String> env, String userHome) {
        String hubCache = firstNonBlank(env.get("HF_HUB_CACHE"), env.get("HUGGINGFACE_HUB_CACHE"));
        if (hubCache != null) {
            return expandUser(hubCache, userHome);
        }
        return hfHome(env, userHome).resolve("hub");
    }

    private static Path hfHome(Map<String, String> env, String userHome) {
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) {
            return expandUser(home, userHome);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base =
                xdg != null && !xdg.isBlank()
                        ? expandUser(xdg, userHome)
                        : Paths.get(userHome, ".cache");
        return base.resolve("huggingface");
    }

    static String token(Map<String, String> env, String userHome) {
        String t = firstNonBlank(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"));
        if (t != null) {
            return t.trim();
        }
        String tokenPath = env.get("HF_TOKEN_PATH");
        Path file =
                tokenPath != null && !tokenPath.isBlank()
                        ? expandUser(tokenPath, userHome)
                        : hfHome(env, userHome).resolve("token");
        try {
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file, StandardCharsets.UTF_8).trim();
                return s.isEmpty() ? null : s;
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the Hugging Face token file {}: {}", file, e.toString());
        }
        return null;
    }

    private static Path expandUser(String p, String userHome) {
        String s = p.trim();
        if (s.equals("~") || s.startsWith("~/")) {
            s = userHome + s.substring(1);
        }
        return Paths.get(s);
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }

    static boolean isTrue(String v) {
        return v != null
                && Stream.of("1", "ON", "YES", "TRUE")
                        .anyMatch(t -> t.equals(v.trim().toUpperCase(Locale.ROOT)));
    }

    static Duration seconds(String v, Duration fallback) {
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            double s = Double.parseDouble(v.trim());
            return s > 0 ? Duration.ofMillis((long) (s * 1000)) : fallback;
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring invalid timeout value '{}'", v);
            return fallback;
        }
    }
}
