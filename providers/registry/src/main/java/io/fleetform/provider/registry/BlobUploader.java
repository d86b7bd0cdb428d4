package io.fleetform.provider.registry;

import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.provider.registry.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The blob upload protocol: monolithic (POST, PUT), chunked (POST, PATCH..., PUT) and
 * cross-repository mount. An upload session cannot be resumed reliably after a failed request
 * (the registry may have consumed part of the body), so a transient failure restarts the whole
 * sequence from a new session and reopens the source.
 */
final class BlobUploader {

    private static final String OCTET_STREAM = "application/octet-stream";

    private final Transport transport;

    BlobUploader(Transport transport) {
        this.transport = transport;
    }

    void monolithic(String repository, Digest digest, long size, BlobSource source) {
        String operation = "uploading blob " + digest + " to repository \"" + repository + "\"";
        withRestarts(operation, () -> {
            // The upload session is opened while the source answers: two round trips at two registries, neither
            // waiting for the other. Nothing is sent before both are there; a session whose source cannot be read
            // is cancelled, and a source whose session could not be opened is closed unread.
            FutureTask<URI> opening = new FutureTask<>(() -> start(repository, operation));
            Thread starter = new Thread(opening, "fleetform-upload-start");
            starter.setDaemon(true);
            starter.start();
            RecordingInputStream in;
            try {
                in = new RecordingInputStream(source.open());
            } catch (IOException | RuntimeException | Error e) {
                cancelWhenOpened(opening, repository, operation);
                throw e;
            }
            try (in) {
                URI session = session(opening, repository, operation);
                Call put = Call.of("PUT", withQuery(session, "digest", digest.toString()), RegistryClient.push(repository), operation)
                        .header("Content-Type", OCTET_STREAM)
                        .body(in, size)
                        .timeout(null);
                Response response;
                try {
                    response = transport.sendOnceAuthenticated(put);
                } catch (IOException e) {
                    throw sourceFailureOr(in, e);
                }
                rethrowSourceFailure(in);
                complete(repository, put, response, digest);
            }
        });
    }

    void chunked(String repository, Digest digest, BlobSource source, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        String operation = "uploading blob " + digest + " in chunks to repository \"" + repository + "\"";
        withRestarts(operation, () -> {
            URI session;
            try (InputStream in = source.open()) {
                session = start(repository, operation);
                long offset = 0;
                byte[] chunk;
                while ((chunk = in.readNBytes(chunkSize)).length > 0) {
                    session = sendChunk(repository, operation, session, offset, chunk);
                    offset += chunk.length;
                }
            }
            // No body, so safe to retry request by request.
            Call put = Call.of("PUT", withQuery(session, "digest", digest.toString()), RegistryClient.push(repository), operation)
                    .header("Content-Type", OCTET_STREAM);
            complete(repository, put, transport.send(put), digest);
        });
    }

    /**
     * Sends one chunk. After a transient failure it asks the registry where the upload stands and
     * resends the chunk if the registry did not take any of it, so that one lost request does not
     * cost the whole blob; any other state restarts the upload.
     */
    private URI sendChunk(String repository, String operation, URI session, long offset, byte[] data) {
        RetryPolicy retry = transport.retryPolicy();
        long started = System.nanoTime();
        for (int n = 1; ; n++) {
            Call patch = Call.of("PATCH", session, RegistryClient.push(repository), operation)
                    .header("Content-Type", OCTET_STREAM)
                    .header("Content-Range", offset + "-" + (offset + data.length - 1))
                    .body(data)
                    .timeout(null);
            String problem;
            int status = 0;
            List<RegistryError> errors = List.of();
            try (Response response = transport.sendOnceAuthenticated(patch)) {
                if (response.status() == 202) {
                    return nextLocation(patch, response);
                }
                if (!Transport.isTransient(response.status())) {
                    throw transport.failure(patch, response);
                }
                status = response.status();
                errors = response.errors();
                problem = RegistryException.statusAndErrors(status, errors);
            } catch (IOException e) {
                problem = Transport.describe(e);
            }
            if (!retry.allowsAnother(n, started)) {
                throw new TransientUploadFailure(problem, status, errors, null);
            }
            sleep(retry.backoff(n, null, started), operation);
            session = resumePoint(repository, operation, session, offset)
                    .orElseThrow(() -> new TransientUploadFailure("the upload session could not be resumed", 0,
                            List.of(), null));
        }
    }

    /** The session URL to continue at if the registry holds exactly {@code offset} bytes of the upload. */
    private Optional<URI> resumePoint(String repository, String operation, URI session, long offset) {
        Call status = Call.of("GET", session, RegistryClient.push(repository), operation);
        try (Response response = transport.send(status)) {
            if (response.status() != 204) {
                return Optional.empty();
            }
            long held = response.header("Range").map(BlobUploader::rangeEnd).orElse(-2L) + 1;
            // "0-0" is what distribution reports for an empty upload as well as for one byte.
            boolean atOffset = held == offset || (offset == 0 && held == 1);
            return atOffset ? Optional.of(response.header("Location").map(l -> response.uri().resolve(l))
                    .orElse(session)) : Optional.empty();
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    private static long rangeEnd(String range) {
        try {
            String r = range.trim();
            r = r.startsWith("bytes=") ? r.substring(6) : r;
            return Long.parseLong(r.substring(r.indexOf('-') + 1).trim());
        } catch (RuntimeException e) {
            return -2;
        }
    }

    private void sleep(java.time.Duration delay, String operation) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw transport.unavailable(Call.of("PATCH", transport.endpoint().baseUri(), "", operation), 0, List.of(),
                    1, "interrupted", e);
        }
    }

    boolean mount(String repository, Digest digest, String fromRepository) {
        String operation = "mounting blob " + digest + " from repository \"" + fromRepository
                + "\" into repository \"" + repository + "\"";
        URI uri = transport.endpoint().resolve("/v2/" + repository + "/blobs/uploads/?mount="
                + encode(digest.toString()) + "&from=" + encode(fromRepository));
        Call call = Call.of("POST", uri, RegistryClient.push(repository) + " " + RegistryClient.pull(fromRepository),
                operation);
        try (Response response = transport.send(call)) {
            if (response.status() == 201) {
                return true;
            }
            if (response.status() == 202) {
                // The registry opened an ordinary upload session instead; nobody will use it.
                response.header("Location").ifPresent(location -> cancel(call, response.uri().resolve(location)));
                return false;
            }
            throw transport.failure(call, response);
        }
    }

    /** The session {@code opening} opened, or its failure as the POST's own. */
    private URI session(FutureTask<URI> opening, String repository, String operation) throws InterruptedIOException {
        try {
            return opening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelWhenOpened(opening, repository, operation);
            throw new InterruptedIOException("interrupted while opening the upload session");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Cancels the session {@code opening} opens, once it has (best effort, as for a mount's unused session). */
    private void cancelWhenOpened(FutureTask<URI> opening, String repository, String operation) {
        boolean interrupted = Thread.interrupted(); // wait for the POST's answer even when cancelled
        try {
            URI session = opening.get();
            cancel(Call.of("POST", session, RegistryClient.push(repository), operation), session);
        } catch (ExecutionException | InterruptedException e) {
            // No session was opened (or it cannot be known): nothing to cancel.
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private URI start(String repository, String operation) {
        URI uri = transport.endpoint().resolve("/v2/" + repository + "/blobs/uploads/");
        Call call = Call.of("POST", uri, RegistryClient.push(repository), operation);
        try (Response response = transport.send(call)) {
            if (response.status() != 202) {
                throw transport.failure(call, response);
            }
            return nextLocation(call, response);
        }
    }

    private void complete(String repository, Call put, Response response, Digest digest) {
        try (response) {
            if (response.status() == 404 && stored(repository, digest)) {
                // A retried PUT whose first attempt went through but whose answer was lost.
                return;
            }
            if (response.status() != 201) {
                throw transientOrFailure(put, response);
            }
            Optional<String> stored = response.header("Docker-Content-Digest");
            if (stored.isPresent() && !stored.get().trim().equals(digest.toString())) {
                throw new DigestMismatchException(transport.registry(), put.operation(), digest,
                        Digest.parse(stored.get().trim()), -1,
                        put.operation() + ": the registry stored the blob as " + stored.get().trim());
            }
        }
    }

    private boolean stored(String repository, Digest digest) {
        Call head = Call.of("HEAD", transport.endpoint().resolve("/v2/" + repository + "/blobs/" + digest),
                RegistryClient.pull(repository), "checking blob " + digest + " in repository \"" + repository + "\"");
        try (Response response = transport.send(head)) {
            return response.status() == 200;
        } catch (RegistryException e) {
            return false;
        }
    }

    private void cancel(Call call, URI session) {
        try (Response ignored = transport.send(Call.of("DELETE", session, call.scope(), call.operation()))) {
            // Best effort: an abandoned session is also purged by the registry eventually.
        } catch (RegistryException ignored) {
            // Same.
        }
    }

    private URI nextLocation(Call call, Response response) {
        String location = response.header("Location").orElseThrow(() -> new RegistryProtocolException(
                transport.registry(), call.operation(), response.status(), List.of(),
                call.operation() + ": the registry sent no upload Location"));
        return response.uri().resolve(location);
    }

    private RuntimeException transientOrFailure(Call call, Response response) {
        if (Transport.isTransient(response.status())) {
            int status = response.status();
            List<RegistryError> errors = response.errors();
            response.discard();
            return new TransientUploadFailure(RegistryException.statusAndErrors(status, errors), status, errors, null);
        }
        return transport.failure(call, response);
    }

    /** A failure of the source stream is the real story; the upload error is only its echo. */
    private static RuntimeException sourceFailureOr(RecordingInputStream in, IOException uploadError) {
        Throwable source = in.failure();
        if (source instanceof RuntimeException r) {
            return r;
        }
        IOException cause = source instanceof IOException io ? io : uploadError;
        return new TransientUploadFailure(Transport.describe(cause)
                + (source != null ? " (reading the source)" : ""), 0, List.of(), cause);
    }

    private static void rethrowSourceFailure(RecordingInputStream in) {
        Throwable source = in.failure();
        if (source instanceof RuntimeException r) {
            throw r;
        }
        if (source instanceof IOException io) {
            throw new TransientUploadFailure(Transport.describe(io) + " (reading the source)", 0, List.of(), io);
        }
    }

    private void withRestarts(String operation, UploadAttempt attempt) {
        RetryPolicy retry = transport.retryPolicy();
        Call context = Call.of("POST", transport.endpoint().baseUri(), "", operation);
        long started = System.nanoTime();
        for (int n = 1; ; n++) {
            TransientUploadFailure failure;
            try {
                attempt.run();
                return;
            } catch (TransientUploadFailure e) {
                failure = e;
            } catch (RegistryUnavailableException e) {
                throw e; // already retried request by request
            } catch (IOException e) {
                failure = new TransientUploadFailure(Transport.describe(e), 0, List.of(), e);
            }
            if (!retry.allowsAnother(n, started)) {
                throw transport.unavailable(context, failure.status, failure.errors, n, failure.getMessage(),
                        failure.getCause());
            }
            try {
                Thread.sleep(retry.backoff(n, null, started).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw transport.unavailable(context, 0, List.of(), n, "interrupted", e);
            }
        }
    }

    static URI withQuery(URI uri, String name, String value) {
        String s = uri.toString();
        return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + name + "=" + encode(value));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface UploadAttempt {
        void run() throws IOException;
    }

    /** Internal signal: this attempt failed in a way another attempt may not. */
    private static final class TransientUploadFailure extends RuntimeException {
        final int status;
        final List<RegistryError> errors;

        TransientUploadFailure(String message, int status, List<RegistryError> errors, Throwable cause) {
            super(message, cause, false, false);
            this.status = status;
            this.errors = errors;
        }
    }
}
