package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (malformed requests: bad percent-encoding, a bad Content-Length, oversized
 * headers, a refused URI; failures outside the gallery's handler) as {@code {"error": "..."}} JSON,
 * like every answer of the gallery's API, never Jetty's HTML error page or a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    /** The JSON body {@code {"error": message}}. */
    static byte[] body(String message) {
        try {
            return JSON.writeValueAsBytes(
                    JSON.createObjectNode().put("error", message == null ? "error" : message));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write JSON", e);
        }
    }

    /** The message for a status Jetty raised itself: its reason, with a hint of the remedy. */
    static String message(int status, String reason) {
        String text =
                reason == null
                                || reason.isBlank()
                                || reason.equalsIgnoreCase(HttpStatus.getMessage(status))
                        ? switch (status) {
                            case 400 ->
                                    "the request is malformed (check its address, percent"
                                            + "-encoding, headers and Content-Length)";
                            default -> HttpStatus.getMessage(status);
                        }
                        : reason;
        return switch (status) {
            case 400 -> "Bad request: " + text;
            case 413 -> "The request is too large: " + text;
            case 414 -> "The address is too long: " + text;
            case 431 -> "The request headers are too large: " + text;
            default -> text;
        };
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true; // every method gets its JSON error, not only GET, POST and HEAD
    }

    @Override
    protected void generateResponse(
            Request request,
            Response response,
            int code,
            String message,
            Throwable cause,
            Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(ERROR_CACHE_CONTROL);
        response.write(true, ByteBuffer.wrap(body(message(code, message))), callback);
    }

    /** Deprecated in Jetty 12.1 but still its answer to some unparseable requests. */
    @Override
    @SuppressWarnings("removal")
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, JSON_TYPE));
        fields.put("X-Content-Type-Options", "nosniff");
        return ByteBuffer.wrap(body(message(status, reason)));
    }
}
