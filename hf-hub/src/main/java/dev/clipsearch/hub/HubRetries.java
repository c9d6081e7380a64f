package dev.clipsearch.hub;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a Hub request: network errors and HTTP 5xx/429 are retried with exponential backoff (and
 * Retry-After); a host name that does not resolve fails at once; the final failure is a {@link
 * HubNetworkException} that says how to work offline.
 */
final class HubRetries {

    private static final Logger LOG = LoggerFactory.getLogger(HubRetries.class);

    private final String endpoint;
    private final int maxRetries;
    private final Duration retryBackoff;

    HubRetries(String endpoint, int maxRetries, Duration retryBackoff) {
        this.endpoint = endpoint;
        this.maxRetries = maxRetries;
        this.retryBackoff = retryBackoff;
    }

    @FunctionalInterface
    interface Attempt<T> {
        T run() throws HubErrors.Retryable, IOException;
    }

    /**
     * Runs an attempt, retrying network errors and 5xx/429 with exponential backoff (base {@code
     * retryBackoff}, doubled each time, at most 8x base or Retry-After); the count restarts when a
     * download made progress.
     */
    <T> T run(HubRepo repo, String path, Attempt<T> attempt) {
        int failures = 0;
        while (true) {
            HubErrors.Retryable failure;
            try {
                return attempt.run();
            } catch (HubErrors.Retryable e) {
                failure = e;
            } catch (IOException e) {
                failure = HubErrors.Retryable.network(e, false);
            }
            if (failure.progressed) {
                failures = 0;
            }
            if (failures >= maxRetries || unresolvableHost(failure)) {
                throw new HubNetworkException(
                        "Could not get "
                                + HubErrors.what(repo, path)
                                + " from "
                                + endpoint
                                + " after "
                                + (failures + 1)
                                + " attempt(s): "
                                + failure.getMessage()
                                + ". Check your network connection and HF_ENDPOINT; to use only files already in the"
                                + " cache, set HF_HUB_OFFLINE=1.",
                        failure.getCause() != null ? failure.getCause() : failure);
            }
            long wait =
                    Math.min(
                            retryBackoff.toMillis() << Math.min(failures, 20),
                            retryBackoff.toMillis() * 8);
            if (failure.retryAfterMillis >= 0) {
                wait = Math.max(wait, Math.min(failure.retryAfterMillis, 60_000));
            }
            failures++;
            LOG.warn(
                    "Attempt {} for {} failed ({}); retrying in {} ms",
                    failures,
                    HubErrors.what(repo, path),
                    failure.getMessage(),
                    wait);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new HubNetworkException(
                        "Interrupted while retrying " + HubErrors.what(repo, path), ie);
            }
        }
    }

    /**
     * A host name that does not resolve (no network, or a mistyped HF_ENDPOINT) does not get better
     * by waiting: failing at once lets the caller fall back to the cache (or report) without half a
     * minute of backoff.
     */
    private static boolean unresolvableHost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
