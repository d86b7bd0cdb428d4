/**
 * A client for OCI distribution / Docker Registry v2 registries: {@link io.fleetform.provider.registry.RegistryClient}
 * (manifests, tags, blobs, uploads, mounts, authentication, retries) and its errors, all subtypes of
 * {@link io.fleetform.provider.registry.RegistryException}. Uses only the JDK (blocking {@code HttpURLConnection};
 * its {@code HttpClient} for PATCH, which the former lacks) and Jackson, and prints
 * nothing: everything a user should know travels in return values, events and exception messages.
 */
package io.fleetform.provider.registry;
