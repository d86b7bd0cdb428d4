package io.fleetform.provider.registry;

import io.fleetform.provider.registry.image.ImageReference;
import java.net.URI;
import java.util.Objects;

/**
 * Where a registry is reached. {@code host} is the name users write in image references and the
 * one error messages show; {@code baseUri} is what is actually dialled, which differs for Docker
 * Hub and for registries behind a proxy.
 */
public record RegistryEndpoint(String host, URI baseUri) {

    public RegistryEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(baseUri, "baseUri");
        if (!"http".equals(baseUri.getScheme()) && !"https".equals(baseUri.getScheme())) {
            throw new IllegalArgumentException("registry URI must be http or https: " + baseUri);
        }
        String path = baseUri.getPath() == null ? "" : baseUri.getPath();
        baseUri = URI.create(baseUri.getScheme() + "://" + baseUri.getRawAuthority()
                + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
    }

    /**
     * HTTPS, except for loopback hosts, which (as with the Docker daemon's default insecure
     * registries) are plain HTTP: a local registry normally has no certificate.
     */
    public static RegistryEndpoint of(String host) {
        if (host.equals(ImageReference.DOCKER_HUB)) {
            return new RegistryEndpoint(host, URI.create("https://registry-1.docker.io"));
        }
        return new RegistryEndpoint(host, URI.create((isLoopback(host) ? "http://" : "https://") + host));
    }

    /** A registry reached through a URI different from its name, e.g. a proxy or a plain-HTTP mirror. */
    public static RegistryEndpoint of(String host, URI baseUri) {
        return new RegistryEndpoint(host, baseUri);
    }

    static boolean isLoopback(String host) {
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return name.equals("localhost") || name.startsWith("127.") || name.equals("[::1]");
    }

    /** Resolves a path such as {@code /v2/} or a {@code Location} header, absolute or relative. */
    URI resolve(String location) {
        return baseUri.resolve(location);
    }

    /** Same scheme, host and port: credentials may be sent there. */
    boolean sameOrigin(URI uri) {
        return Objects.equals(uri.getScheme(), baseUri.getScheme())
                && Objects.equals(uri.getHost(), baseUri.getHost())
                && uri.getPort() == baseUri.getPort();
    }

    // Written out, with the values a record's generated methods give (31 * h + the next component's
    // hash): the generated ones are linked through ObjectMethods at their first call, a method-handle
    // tree that cost every apply's start a few per cent of its main thread.
    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryEndpoint other && host.equals(other.host) && baseUri.equals(other.baseUri);
    }

    @Override
    public int hashCode() {
        return 31 * host.hashCode() + baseUri.hashCode();
    }
}
