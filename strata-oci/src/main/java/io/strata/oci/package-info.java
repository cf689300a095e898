/**
 * The OCI image model: {@link io.strata.oci.Descriptor}, {@link io.strata.oci.Manifest},
 * {@link io.strata.oci.Index}, {@link io.strata.oci.ImageConfig},
 * {@link io.strata.oci.Platform} and its matchers, {@link io.strata.oci.Reference},
 * {@link io.strata.oci.ChainIds} and the media types. Immutable values, validated when built;
 * parse errors are {@link io.strata.api.InvalidArgumentException}s.
 */
package io.strata.oci;
