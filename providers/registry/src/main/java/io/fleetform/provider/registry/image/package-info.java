/**
 * Value types of container images: references, digests, descriptors and manifests (Docker v2 schema 2, Docker
 * manifest list, OCI manifest, OCI index). Manifests keep their exact bytes, because their digest is their identity.
 */
package io.fleetform.provider.registry.image;
