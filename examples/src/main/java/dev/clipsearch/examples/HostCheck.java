package dev.clipsearch.examples;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} headers the gallery answers: a guard against DNS rebinding, where a web page
 * from another site resolves its own name to this machine and reads the API from the visitor's
 * browser. Browsers always send the name they used, so a request whose Host is not one of ours is
 * refused. Allowed: {@code localhost}, {@code 127.0.0.1}, {@code [::1]}, the bound address, the
 * addresses of this machine's interfaces when bound to every interface ({@code 0.0.0.0} or {@code
 * ::}; an address literal cannot be rebound), and the names given with {@code --allowed-host}
 * ({@code *} turns the check off). Requests without a Host header (HTTP/1.0) are not from a browser
 * and pass.
 */
final class HostCheck {
    private final Set<String> allowed;
    private final boolean anyHost;

    HostCheck(String boundHost, boolean wildcard, Collection<String> extra) {
        Set<String> hosts = new LinkedHashSet<>();
        hosts.add("localhost");
        hosts.add("127.0.0.1");
        hosts.add("[::1]");
        hosts.add(normalize(boundHost));
        if (wildcard) {
            hosts.addAll(interfaceAddresses());
        }
        boolean any = false;
        for (String h : extra) {
            if (h.strip().equals("*")) {
                any = true;
            } else if (!h.isBlank()) {
                hosts.add(normalize(h));
            }
        }
        this.allowed = Collections.unmodifiableSet(hosts);
        this.anyHost = any;
    }

    /** Whether a request with this Host header (null: none) is answered. */
    boolean allows(String hostHeader) {
        if (anyHost || hostHeader == null) {
            return true;
        }
        return allowed.contains(normalize(stripPort(hostHeader.strip())));
    }

    Set<String> allowed() {
        return allowed;
    }

    /** {@code name:port} or {@code [v6]:port} without the port. */
    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 || host.indexOf(':', colon + 1) >= 0 ? host : host.substring(0, colon);
    }

    /** Lower case, no trailing dot, IPv6 literals in brackets in their compressed form. */
    static String normalize(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        String bare = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        if (bare.contains(":")) {
            return "[" + compressV6(bare) + "]";
        }
        return h;
    }

    private static String compressV6(String literal) {
        try {
            // in brackets, anything but an IPv6 literal fails at once: no name lookup ever happens
            String full = InetAddress.getByName("[" + literal + "]").getHostAddress();
            return full.replaceAll("%.*$", "")
                    .replaceFirst("(^|:)(0(:|$)){2,}", "::")
                    .replaceAll(":{3,}", "::");
        } catch (UnknownHostException e) {
            return literal;
        }
    }

    private static Set<String> interfaceAddresses() {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    out.add(normalize(a.getHostAddress().replaceAll("%.*$", "")));
                }
            }
        } catch (SocketException e) {
            // no interfaces listed: only the loopback names and --allowed-host pass
        }
        return out;
    }
}
