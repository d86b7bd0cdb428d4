package io.fleetform.provider.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Blob content to upload. It is opened anew for each attempt, so that an upload interrupted
 * halfway can start over from the first byte without the content ever being held in memory.
 */
@FunctionalInterface
public interface BlobSource {

    InputStream open() throws IOException;

    static BlobSource of(byte[] content) {
        byte[] copy = content.clone();
        return () -> new ByteArrayInputStream(copy);
    }

    static BlobSource of(Path file) {
        return () -> Files.newInputStream(file);
    }
}
