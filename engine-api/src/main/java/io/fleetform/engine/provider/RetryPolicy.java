package io.fleetform.engine.provider;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one retry policy of every provider's client: which failed calls are tried again, how often
 * and for how long. Exponential backoff from {@code initialBackoff}, capped at {@code maxBackoff},
 * with jitter (parallel calls do not retry in lockstep), never more than {@code maxAttempts} tries
 * nor past {@code deadline} after the first.
 *
 * <p>What is retried depends on whether the call may have taken effect: a call that never reached
 * the server (refused, connect timeout) and a 429 are always retried; a call cut off midway (reset,
 * dropped, read timeout) and a 5xx only when it is {@link Safety#IDEMPOTENT} (reads, and writes that
 * the remote side makes idempotent, like a compare-and-set claim or a put of a whole object).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration deadline) {

    /** Whether repeating a call that may have taken effect is harmless. */
    public enum Safety { IDEMPOTENT, UNSAFE }

    /** How a call failed. */
    public enum Failure {
        /** The request never reached the server: refused, connect timeout, unknown host. */
        NOT_SENT,
        /** The connection broke or timed out after the request was (maybe) sent. */
        CUT,
        /** 429: the server did not do it and asks to come back. */
        THROTTLED,
        /** 5xx: the server failed, maybe after doing part of it. */
        SERVER_ERROR
    }

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(deadline, "deadline");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
        }
    }

    /** A policy with the default deadline (60 s). */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this(maxAttempts, initialBackoff, maxBackoff, Duration.ofSeconds(60));
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(8));
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** A server's {@code Retry-After} is honoured, but never beyond {@code maxBackoff}. */
    public Duration backoff(int attempt, Duration retryAfter) {
        if (retryAfter == null) {
            return backoff(attempt);
        }
        return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
    }

    /**
     * Whether to try again after attempt number {@code attempt} (1-based) failed this way, the
     * first attempt having started at {@code startedNanos} ({@link System#nanoTime()}).
     */
    public boolean retries(Safety safety, Failure failure, int attempt, long startedNanos) {
        if (!allowsAnother(attempt, startedNanos)) {
            return false;
        }
        return switch (failure) {
            case NOT_SENT, THROTTLED -> true;
            case CUT, SERVER_ERROR -> safety == Safety.IDEMPOTENT;
        };
    }

    /**
     * Whether another try fits after attempt number {@code attempt} failed: fewer than
     * {@code maxAttempts} made and the deadline, counted from {@code startedNanos}, not reached.
     * For callers that decide themselves what is worth a retry (a whole multi-request upload).
     */
    public boolean allowsAnother(int attempt, long startedNanos) {
        return attempt < maxAttempts && remaining(startedNanos) > 0;
    }

    /**
     * The pause after failed attempt number {@code attempt}: the server's {@code Retry-After} (up to
     * {@code maxBackoff}) or our backoff, but never past the deadline, so that the last try still
     * starts within it.
     */
    public Duration backoff(int attempt, Duration retryAfter, long startedNanos) {
        Duration pause = backoff(attempt, retryAfter);
        long left = remaining(startedNanos);
        return pause.toNanos() > left ? Duration.ofNanos(Math.max(0, left)) : pause;
    }

    /** Sleeps {@link #backoff(int, Duration, long)}; an interrupt ends the wait early and stays set. */
    public void pause(int attempt, Duration retryAfter, long startedNanos) {
        sleep(backoff(attempt, retryAfter, startedNanos));
    }

    private long remaining(long startedNanos) {
        return deadline.toNanos() - (System.nanoTime() - startedNanos);
    }

    /** The pause after failed attempt number {@code attempt} (1-based), with jitter. */
    public Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    /** Sleeps the backoff; an interrupt ends the wait early and stays set. */
    public void pause(int attempt) {
        sleep(backoff(attempt));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
