package io.strata.metastore;

/** How hard {@link SqliteMetaStore} works to keep a committed write across a crash. */
public enum Durability {
    /**
     * {@code synchronous=FULL}: a write transaction that returned survives power loss. The default
     * and the only setting for real use.
     */
    FULL,
    /**
     * {@code synchronous=OFF}: no fsync at all. Survives the process crashing but not the machine;
     * on power loss recent commits may be lost and the database may be corrupted. For benchmarks
     * that measure the fsync cost separately.
     */
    NONE
}
