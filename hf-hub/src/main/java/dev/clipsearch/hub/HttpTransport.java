package dev.clipsearch.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Minimal HTTP client over {@link HttpURLConnection} (it has a real per-read timeout). Never
 * follows redirects by itself: callers decide, so the Authorization header can be dropped when a
 * redirect leaves the endpoint's host. The token is only ever put into the Authorization header,
 * never into URLs, logs or messages.
 */
final class HttpTransport {

    static final String USER_AGENT =
            "clip-search-hf-hub/0.1; java/" + System.getProperty("java.version");

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final ProxySelector proxies;

    /**
     * @param proxies proxy choice, or null for the JVM's default (system properties such as
     *     https.proxyHost)
     */
    HttpTransport(Duration connectTimeout, Duration readTimeout, ProxySelector proxies) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout);
        this.readTimeout = Objects.requireNonNull(readTimeout);
        this.proxies = proxies;
    }

    /** An open response: status, headers (case-insensitive names) and, for GET, the body stream. */
    static final class Response implements AutoCloseable {
        final URI uri;
        final int status;
        private final Map<String, List<String>> headers;
        private final HttpURLConnection connection;

        Response(
                URI uri,
                int status,
                Map<String, List<String>> headers,
                HttpURLConnection connection) {
            this.uri = uri;
            this.status = status;
            this.headers = headers;
            this.connection = connection;
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        long longHeader(String name) {
            String v = header(name);
            if (v == null) {
                return -1;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        boolean isRedirect() {
            return status >= 300 && status < 400 && header("Location") != null;
        }

        /** The redirect target resolved against this response's URI. */
        URI location() {
            String loc = header("Location").trim();
            try {
                return uri.resolve(loc);
            } catch (IllegalArgumentException e) {
                throw new HubException(
                        "The server at "
                                + uri.getHost()
                                + " redirected to an invalid URL: "
                                + e.getMessage(),
                        e);
            }
        }

        InputStream body() throws IOException {
            return connection.getInputStream();
        }

        String bodyAsString(int maxBytes) throws IOException {
            try (InputStream in = body()) {
                byte[] data = in.readNBytes(maxBytes + 1);
                if (data.length > maxBytes) {
                    throw new IOException(
                            "Response from " + uri + " is larger than " + maxBytes + " bytes");
                }
                return new String(data, StandardCharsets.UTF_8);
            }
        }

        /** Drops the connection (after a failed or abandoned transfer). */
        void abort() {
            connection.disconnect();
        }

        /** Releases the connection (back to the keep-alive pool when the body was consumed). */
        @Override
        public void close() {
            try {
                InputStream s =
                        status >= 400 ? connection.getErrorStream() : connection.getInputStream();
                if (s != null) {
                    s.close();
                }
            } catch (IOException e) {
                connection.disconnect();
            }
        }
    }

    /** Sends a request; does not follow redirects. Network problems surface as IOException. */
    Response send(String method, URI uri, Map<String, String> headers) throws IOException {
        URL url;
        try {
            url = uri.toURL();
        } catch (IllegalArgumentException | java.net.MalformedURLException e) {
            throw new HubException("Invalid URL '" + uri + "': " + e.getMessage(), e);
        }
        HttpURLConnection conn =
                (HttpURLConnection)
                        (proxies == null
                                ? url.openConnection()
                                : url.openConnection(proxies.select(uri).get(0)));
        conn.setInstanceFollowRedirects(false);
        conn.setRequestMethod(method);
        conn.setConnectTimeout(toMillis(connectTimeout));
        conn.setReadTimeout(toMillis(readTimeout));
        conn.setUseCaches(false);
        conn.setRequestProperty("User-Agent", USER_AGENT);
        headers.forEach(conn::setRequestProperty);
        int status;
        try {
            status = conn.getResponseCode();
        } catch (IOException e) {
            conn.disconnect();
            throw e;
        } catch (UncheckedIOException e) {
            conn.disconnect();
            throw e.getCause();
        }
        Map<String, List<String>> hdrs = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : conn.getHeaderFields().entrySet()) {
            if (e.getKey() != null) {
                hdrs.put(e.getKey(), e.getValue());
            }
        }
        return new Response(uri, status, hdrs, conn);
    }

    static Map<String, String> headers(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    /** Lower-case host name of a URI ("" if none). */
    static String host(URI u) {
        return u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    }

    private static int toMillis(Duration d) {
        long ms = d.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    /** Percent-encodes like Python's urllib.parse.quote with the given extra safe characters. */
    static String quote(String s, String safe) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '.'
                    || c == '-'
                    || c == '~'
                    || (c < 128 && safe.indexOf(c) >= 0)) {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
