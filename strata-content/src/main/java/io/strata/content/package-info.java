/**
 * The content store: blobs by digest, resumable verified ingests, labels. Start at
 * {@link io.strata.content.ContentStore}. The image model is in {@code io.strata.oci},
 * import in {@code io.strata.content.importer}, registry access in {@code io.strata.content.registry}.
 */
package io.strata.content;
