package io.strata.fs;

/** How {@link FileOps#cloneOrCopy} moved the bytes of a file. */
public enum CopyMethod {
    /** FICLONE: the copy shares extents with the source (xfs with reflink, btrfs). */
    REFLINK,
    /** copy_file_range(2), which the kernel may still accelerate (server-side or block sharing). */
    COPY_FILE_RANGE,
    /** pread/pwrite through a user-space buffer. */
    READ_WRITE
}
