/**
 * The file-system layer under the snapshotters: system calls through the Foreign Function &amp;
 * Memory API (no JNI, no helper processes). {@link io.strata.fs.Mounter} performs containerd-style
 * mounts, {@link io.strata.fs.TreeCopier} copies trees as continuity's CopyDir does,
 * {@link io.strata.fs.DiskUsage} measures them as continuity's DiskUsage does,
 * {@link io.strata.fs.DType} probes d_type support, {@link io.strata.fs.FileOps} and
 * {@link io.strata.fs.Stat} cover single files. Failed calls surface as
 * {@link io.strata.fs.ErrnoException}. Linux on x86_64 with glibc 2.36 or newer.
 */
package io.strata.fs;
