/**
 * Internal: the strict JSON codec the image model reads and writes with. Not API; public only
 * because Java packages need it. Use {@code io.strata.oci} instead.
 */
package io.strata.oci.json;
