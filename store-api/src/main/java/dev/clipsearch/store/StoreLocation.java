package dev.clipsearch.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed store URI: {@code scheme:rest?key=value&...}. Examples: {@code lance:./data/lancedb},
 * {@code lance:/abs/path?index_threshold=50000}, {@code
 * qdrant://localhost:6334?collection=image_search}, {@code memory:}.
 *
 * @param uri the URI as given
 * @param scheme the scheme, lower case
 * @param target everything between {@code scheme:} and {@code ?} (a path, or {@code //host:port})
 * @param params the decoded query parameters, in order
 */
public record StoreLocation(String uri, String scheme, String target, Map<String, String> params) {

    /** Copies the parameters. */
    public StoreLocation {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Parses a store URI; a clear error names what is wrong. */
    public static StoreLocation parse(String uri) {
        Objects.requireNonNull(uri, "store URI");
        int colon = uri.indexOf(':');
        if (colon <= 0 || !uri.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.\\-]*")) {
            throw new IllegalArgumentException(
                    "Store URI '"
                            + uri
                            + "' has no scheme: use lance:PATH, qdrant://HOST:PORT?collection=NAME or memory:");
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = uri.substring(colon + 1);
        String target = rest;
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            target = rest.substring(0, q);
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                params.put(key, value);
            }
        }
        return new StoreLocation(uri, scheme, target, params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** A string parameter or the default. */
    public String param(String key, String defaultValue) {
        return params.getOrDefault(key, defaultValue);
    }

    /** An integer parameter or the default; a clear error when it is not a number. */
    public long longParam(String key, long defaultValue) {
        String v = params.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Store URI parameter '"
                            + key
                            + "' must be an integer, got '"
                            + v
                            + "' in "
                            + redacted());
        }
    }

    /**
     * An integer parameter in {@code [min, max]}, or the default; a clear error names the
     * parameter, the range and the (redacted) URI.
     */
    public long longParam(String key, long defaultValue, long min, long max) {
        long v = longParam(key, defaultValue);
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                    "Store URI parameter '"
                            + key
                            + "' must be between "
                            + min
                            + " and "
                            + max
                            + ", got "
                            + v
                            + " in "
                            + redacted());
        }
        return v;
    }

    /**
     * Fails when the URI has a parameter that {@code backend} does not know, listing the known
     * ones: a typo in a parameter name must not be silently ignored.
     */
    public void requireKnownParams(String backend, java.util.Set<String> known) {
        for (String key : params.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown "
                                + backend
                                + " store URI parameter '"
                                + key
                                + "' in "
                                + redacted()
                                + " (known: "
                                + new java.util.TreeSet<>(known)
                                + ")");
            }
        }
    }

    /** A boolean parameter ("true"/"false") or the default. */
    public boolean booleanParam(String key, boolean defaultValue) {
        String v = params.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        if (v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        throw new IllegalArgumentException(
                "Store URI parameter '" + key + "' must be true or false, got '" + v + "'");
    }

    /**
     * The URI with secret parameters (apiKey, token, password) replaced by {@code ***}, for logs
     * and errors.
     */
    public String redacted() {
        StringBuilder sb = new StringBuilder(scheme).append(':').append(target);
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            boolean secret = k.contains("key") || k.contains("token") || k.contains("password");
            sb.append(sep).append(e.getKey()).append('=').append(secret ? "***" : e.getValue());
            sep = '&';
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return redacted();
    }
}
