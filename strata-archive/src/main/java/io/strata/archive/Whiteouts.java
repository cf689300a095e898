package io.strata.archive;

/** How a layer's whiteouts are carried out on the tree it is applied to. */
public enum Whiteouts {
    /**
     * The tree is an overlayfs upper directory: {@code .wh.NAME} becomes a 0/0 character device
     * named NAME and {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its directory.
     */
    OVERLAY,
    /**
     * The tree is the whole file system (a copying backend, or a mounted stack): {@code .wh.NAME}
     * deletes NAME, and {@code .wh..wh..opq} deletes everything in its directory that this layer
     * did not itself add.
     */
    DELETE
}
