package dev.clipsearch.store.lance;

import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code metadata} column's encoding: a flat JSON object of string values with sorted keys and
 * no whitespace ({@code {"labelName":"cat","source":"tiny-imagenet"}}). The canonical form makes a
 * {@code "key":"value"} pair findable as a substring, which is how metadata filters are evaluated.
 */
final class MetadataJson {

    private MetadataJson() {}

    /** Canonical JSON for a metadata map (sorted keys). */
    static String encode(Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            pair(sb, e.getKey(), e.getValue());
        }
        return sb.append('}').toString();
    }

    /** {@code "key":"value"} exactly as {@link #encode} writes it. */
    static String pair(String key, String value) {
        return pair(new StringBuilder(), key, value).toString();
    }

    private static StringBuilder pair(StringBuilder sb, String key, String value) {
        quote(sb, key);
        sb.append(':');
        return quote(sb, value);
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /**
     * Parses a flat JSON object of string values (what {@link #encode} writes, or any equivalent
     * JSON).
     */
    static Map<String, String> decode(String json) {
        Map<String, String> out = new TreeMap<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        Parser p = new Parser(json);
        p.skipWs();
        p.expect('{');
        p.skipWs();
        if (p.peek() == '}') {
            return out;
        }
        while (true) {
            p.skipWs();
            String key = p.string();
            p.skipWs();
            p.expect(':');
            p.skipWs();
            out.put(key, p.string());
            p.skipWs();
            char c = p.next();
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw p.error("expected ',' or '}'");
            }
        }
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("bad \\u escape");
                        }
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        IllegalStateException error(String what) {
            return new IllegalStateException(
                    "Malformed metadata JSON at offset " + pos + " (" + what + "): " + s);
        }
    }
}
