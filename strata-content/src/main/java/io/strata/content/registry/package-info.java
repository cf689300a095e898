/**
 * Registry access: {@link io.strata.content.registry.RegistryClient} (distribution API, auth,
 * retries, Range resume) and {@link io.strata.content.registry.Puller} (reference → content store,
 * parallel layers, {@link io.strata.content.registry.BlobSink} for unpacking while downloading).
 */
package io.strata.content.registry;
