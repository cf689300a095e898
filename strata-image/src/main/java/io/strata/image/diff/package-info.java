/**
 * Strata as containerd's differ: applying a layer that is in containerd's content store onto the
 * mounts containerd hands over, what containerd's {@code walking} differ does, with Strata's
 * applier. {@link io.strata.image.diff.LayerApplication} is the whole job; where the bytes come
 * from is a {@link io.strata.image.diff.BlobSource}, and what mounts it may write is a
 * {@link io.strata.image.diff.MountScope}.
 */
package io.strata.image.diff;
