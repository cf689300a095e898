/**
 * Internal: the strict JSON codec the image model reads and writes with. Not API; public only
 * because Java packages need it. Use {@code io.strata.content.image} instead.
 */
package io.strata.content.json;
