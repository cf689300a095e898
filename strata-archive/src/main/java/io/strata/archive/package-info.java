/**
 * OCI layers: applying a layer stream onto a snapshot's mounts, and computing the layer between a
 * snapshot and its parent. The {@code tar} package holds Strata's own tar/PAX codec, the
 * {@code compress} package detects and streams gzip, zstd and uncompressed layers.
 */
package io.strata.archive;
