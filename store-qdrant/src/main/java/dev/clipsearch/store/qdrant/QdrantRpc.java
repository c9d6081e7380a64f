package dev.clipsearch.store.qdrant;

import com.google.common.util.concurrent.ListenableFuture;
import dev.clipsearch.store.StoreAccessDeniedException;
import dev.clipsearch.store.StoreException;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.StoreUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one gRPC request against Qdrant: waits for it, retries UNAVAILABLE and DEADLINE_EXCEEDED
 * with exponential backoff, and turns failures into exceptions that say what happened in the user's
 * terms (server unreachable, API key rejected, ...). Messages name the endpoint and the redacted
 * store URI, never the API key.
 */
final class QdrantRpc {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantRpc.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    private final QdrantSettings settings;

    QdrantRpc(QdrantSettings settings) {
        this.settings = settings;
    }

    /**
     * Sends a request (the supplier is called once per attempt, so each attempt gets a fresh
     * deadline) and returns its reply.
     *
     * @param operation what is being done, for messages ("upsert into collection 'x'")
     */
    <T> T call(String operation, Supplier<ListenableFuture<T>> request) {
        int attempt = 0;
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            attempt++;
            StatusRuntimeException failure;
            try {
                return request.get().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted during Qdrant " + operation, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (!(cause instanceof StatusRuntimeException sre)) {
                    throw new StoreException(
                            "Qdrant "
                                    + operation
                                    + " failed at "
                                    + settings.endpoint()
                                    + ": "
                                    + scrub(String.valueOf(cause)),
                            cause);
                }
                failure = sre;
            } catch (StatusRuntimeException e) {
                failure = e;
            }
            Status.Code code = failure.getStatus().getCode();
            boolean transientFailure =
                    code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
            if (!transientFailure || attempt > settings.retries()) {
                throw translate(operation, failure, attempt);
            }
            LOG.warn(
                    "Qdrant {} at {} failed ({}), retry {} of {} in {} ms",
                    operation,
                    settings.endpoint(),
                    code,
                    attempt,
                    settings.retries(),
                    backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted during Qdrant " + operation, e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /** The exception a final gRPC failure becomes. */
    RuntimeException translate(String operation, StatusRuntimeException e, int attempts) {
        Status status = e.getStatus();
        String detail = scrub(status.getDescription() == null ? "" : status.getDescription());
        String where = settings.endpoint();
        String uri = settings.uri();
        return switch (status.getCode()) {
            case UNAVAILABLE ->
                    new StoreUnavailableException(
                            "Qdrant server unreachable at "
                                    + where
                                    + " ("
                                    + operation
                                    + " failed after "
                                    + attempts
                                    + " attempt(s): "
                                    + detail
                                    + "). Is Qdrant running there? Start one with "
                                    + "'docker run -p 6333:6333 -p 6334:6334 qdrant/qdrant'; the port must be the gRPC port (6334), "
                                    + "not the REST port (6333)"
                                    + (settings.tls()
                                            ? "; tls=true needs a server with TLS enabled"
                                            : "")
                                    + ". Store: "
                                    + uri,
                            e);
            case DEADLINE_EXCEEDED ->
                    new StoreUnavailableException(
                            "Qdrant at "
                                    + where
                                    + " did not answer "
                                    + operation
                                    + " within "
                                    + settings.timeout().toMillis()
                                    + " ms ("
                                    + attempts
                                    + " attempt(s)): the server is "
                                    + "unreachable or overloaded. Check host and port"
                                    + restPortHint()
                                    + ", or raise the request timeout (timeout_ms) of "
                                    + uri,
                            e);
            case UNAUTHENTICATED, PERMISSION_DENIED ->
                    new StoreAccessDeniedException(
                            "Qdrant at "
                                    + where
                                    + " rejected "
                                    + (settings.apiKey() == null
                                            ? "the request without an API key"
                                            : "the API key")
                                    + " ("
                                    + status.getCode()
                                    + ") during "
                                    + operation
                                    + ": check the API key (apiKey) of "
                                    + uri
                                    + (detail.isEmpty() ? "" : " (server says: " + detail + ")"),
                            e);
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE ->
                    new IllegalArgumentException(
                            "Qdrant at " + where + " refused " + operation + ": " + detail, e);
            case NOT_FOUND ->
                    new StoreNotFoundException(
                            "Qdrant at "
                                    + where
                                    + " found nothing for "
                                    + operation
                                    + (detail.isEmpty() ? "" : ": " + detail)
                                    + " (was the collection deleted meanwhile? reopen the store"
                                    + " with a dimension to create it again)",
                            e);
            case RESOURCE_EXHAUSTED ->
                    new StoreException(
                            "Qdrant "
                                    + operation
                                    + " at "
                                    + where
                                    + " hit a size or rate limit ("
                                    + detail
                                    + "); request fewer hits or no image bytes",
                            e);
            default ->
                    new StoreException(
                            "Qdrant "
                                    + operation
                                    + " failed at "
                                    + where
                                    + ": "
                                    + status.getCode()
                                    + (detail.isEmpty() ? "" : ": " + detail)
                                    + restPortHint(),
                            e);
        };
    }

    /** A hint for the most common mix-up: the REST port in a gRPC URI. */
    private String restPortHint() {
        return settings.port() == 6333
                ? " (6333 is Qdrant's REST port; the store URI needs the gRPC port, usually 6334)"
                : "";
    }

    /** Removes the API key from a server message, in case the server echoes it. */
    private String scrub(String message) {
        String key = settings.apiKey();
        return key == null || key.isEmpty() ? message : message.replace(key, "***");
    }
}
