/**
 * containerd's filter language: {@link io.strata.api.filter.Filters} parses filter strings such as
 * {@code kind==committed,labels."containerd.io/gc.root"} into {@link io.strata.api.filter.Filter}s
 * that match any object an {@link io.strata.api.filter.Adaptor} describes.
 */
package io.strata.api.filter;
