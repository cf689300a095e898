package io.strata.archive;

/**
 * Where the time of applying one layer went, in nanoseconds. The applier runs on two threads at
 * once: a reader that takes the stream, hashes it and inflates it, and a writer that parses the
 * tar and makes the files. The reader's three stages add up to the reader's busy time, the
 * writer's three to the writer's; the two overlap, so the apply's wall time is about the larger.
 *
 * @param input   reader: waiting for the bytes given (a download, a disk read)
 * @param digest  reader: SHA-256 of the stream as given and of the tar
 * @param inflate reader: decompression
 * @param parse   writer: tar headers, PAX records, copying content out of the stream
 * @param write   writer: the file system calls that make the tree
 * @param stall   writer: waiting for the reader (when the reader is the bound)
 */
public record ApplyStages(long input, long digest, long inflate, long parse, long write, long stall) {
    /** No time measured. */
    public static final ApplyStages NONE = new ApplyStages(0, 0, 0, 0, 0, 0);

    /** The stages of two applies added up. */
    public ApplyStages plus(ApplyStages o) {
        return new ApplyStages(input + o.input, digest + o.digest, inflate + o.inflate, parse + o.parse,
                write + o.write, stall + o.stall);
    }
}
