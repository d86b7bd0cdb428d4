/**
 * Registry credentials ({@link io.fleetform.provider.registry.auth.Credentials}), the
 * {@link io.fleetform.provider.registry.auth.Secret} wrapper that keeps them out of strings, and parsing of
 * {@code WWW-Authenticate} challenges.
 */
package io.fleetform.provider.registry.auth;
