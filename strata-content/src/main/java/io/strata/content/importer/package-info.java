/** Import and export of OCI image layouts ({@link io.strata.content.importer.Importer} reads them and {@code docker save} archives; {@link io.strata.content.importer.Exporter} writes them). */
package io.strata.content.importer;
