/** Import of OCI image layouts and {@code docker save} archives into a content store: {@link io.strata.content.importer.Importer}. */
package io.strata.content.importer;
