/**
 * The Linux system calls Strata needs (mount, the new mount API, openat2, FICLONE,
 * copy_file_range, xattrs), called through FFM. Internal: the backends, the layer applier and the
 * CLI's mount commands use it.
 */
module io.strata.fs {
    requires io.strata.api;

    exports io.strata.fs to
            io.strata.backend, io.strata.archive, io.strata.testkit, io.strata.cli, io.strata.bench;
}
