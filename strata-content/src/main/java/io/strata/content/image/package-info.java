/**
 * The OCI image model: {@link io.strata.content.image.Descriptor}, {@link io.strata.content.image.Manifest},
 * {@link io.strata.content.image.Index}, {@link io.strata.content.image.ImageConfig},
 * {@link io.strata.content.image.Platform} and its matchers, {@link io.strata.content.image.Reference},
 * {@link io.strata.content.image.ChainIds} and the media types. Immutable values, validated when built;
 * parse errors are {@link io.strata.api.InvalidArgumentException}s.
 */
package io.strata.content.image;
