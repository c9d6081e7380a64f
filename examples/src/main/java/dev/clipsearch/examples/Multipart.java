package dev.clipsearch.examples;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** Just enough of multipart/form-data (RFC 7578) to take the uploaded file out of a form post. */
final class Multipart {
    private Multipart() {}

    /**
     * The content of the first part that carries a file ({@code filename=...}), else of the first
     * part.
     *
     * @throws GalleryServer.HttpError 400 when the body is not a well-formed multipart body
     */
    static byte[] firstFile(byte[] body, String contentType) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        byte[] first = null;
        while (pos >= 0) {
            int start = pos + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break; // closing delimiter
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            if (headersEnd < 0) {
                break;
            }
            String headers =
                    new String(body, start, headersEnd - start, StandardCharsets.UTF_8)
                            .toLowerCase(Locale.ROOT);
            int contentStart = headersEnd + 4;
            int next =
                    indexOf(
                            body,
                            ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1),
                            contentStart);
            if (next < 0) {
                break;
            }
            byte[] content = Arrays.copyOfRange(body, contentStart, next);
            if (headers.contains("filename=")) {
                return content;
            }
            if (first == null) {
                first = content;
            }
            pos = next + 2;
        }
        if (first == null) {
            throw new GalleryServer.HttpError(400, "The multipart body holds no file");
        }
        return first;
    }

    private static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (!b.isEmpty() && b.length() <= 200) {
                    return b;
                }
            }
        }
        throw new GalleryServer.HttpError(400, "multipart/form-data without a boundary");
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
