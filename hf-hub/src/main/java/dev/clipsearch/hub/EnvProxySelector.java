package dev.clipsearch.hub;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy choice from the environment like Python's requests/httpx (which huggingface_hub uses):
 * {@code HTTPS_PROXY} for https URLs, {@code HTTP_PROXY} for http URLs, {@code ALL_PROXY} as
 * fallback (lower-case names too), except hosts listed in {@code NO_PROXY} (comma-separated host
 * names or domain suffixes, {@code *} for all). Proxy URLs are {@code http://host:port} or {@code
 * socks5://host:port}; credentials in the URL are not supported.
 */
final class EnvProxySelector extends ProxySelector {

    private static final Logger LOG = LoggerFactory.getLogger(EnvProxySelector.class);

    private final Proxy httpsProxy;
    private final Proxy httpProxy;
    private final List<String> noProxy;

    private EnvProxySelector(Proxy httpsProxy, Proxy httpProxy, List<String> noProxy) {
        this.httpsProxy = httpsProxy;
        this.httpProxy = httpProxy;
        this.noProxy = noProxy;
    }

    /**
     * A selector for the environment, or null when no proxy variable is set (JVM defaults then
     * apply).
     */
    static EnvProxySelector fromEnvironment(Map<String, String> env) {
        Proxy all = parse(get(env, "ALL_PROXY"));
        Proxy https = parse(get(env, "HTTPS_PROXY"));
        Proxy http = parse(get(env, "HTTP_PROXY"));
        if (all == null && https == null && http == null) {
            return null;
        }
        List<String> no = new ArrayList<>();
        String list = get(env, "NO_PROXY");
        if (list != null) {
            for (String s : list.split(",")) {
                String h = s.trim().toLowerCase(Locale.ROOT);
                if (!h.isEmpty()) {
                    no.add(h);
                }
            }
        }
        return new EnvProxySelector(
                https != null ? https : all, http != null ? http : all, List.copyOf(no));
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            v = env.get(name.toLowerCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    static Proxy parse(String value) {
        if (value == null) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(value.contains("://") ? value : "http://" + value);
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "Ignoring invalid proxy setting '{}'", value.replaceAll("//[^@/]*@", "//***@"));
            return null;
        }
        if (uri.getHost() == null) {
            LOG.warn("Ignoring proxy setting without host");
            return null;
        }
        if (uri.getUserInfo() != null) {
            LOG.warn(
                    "Proxy credentials in the proxy URL are not supported and are ignored ({}:{})",
                    uri.getHost(),
                    uri.getPort());
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean socks = scheme.startsWith("socks");
        int port =
                uri.getPort() != -1
                        ? uri.getPort()
                        : socks ? 1080 : "https".equals(scheme) ? 443 : 80;
        return new Proxy(
                socks ? Proxy.Type.SOCKS : Proxy.Type.HTTP,
                InetSocketAddress.createUnresolved(uri.getHost(), port));
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        for (String n : noProxy) {
            String bare = n.startsWith(".") ? n.substring(1) : n;
            if (n.equals("*") || host.equals(bare) || host.endsWith("." + bare)) {
                return List.of(Proxy.NO_PROXY);
            }
        }
        Proxy p = "https".equalsIgnoreCase(uri.getScheme()) ? httpsProxy : httpProxy;
        return List.of(p != null ? p : Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        LOG.debug("Proxy {} failed for {}: {}", sa, uri.getHost(), ioe.toString());
    }
}
