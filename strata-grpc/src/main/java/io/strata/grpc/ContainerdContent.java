package io.strata.grpc;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.UnavailableException;
import io.strata.grpc.proto.content.ContentGrpc;
import io.strata.grpc.proto.content.InfoRequest;
import io.strata.grpc.proto.content.ReadContentRequest;
import io.strata.grpc.proto.content.ReadContentResponse;
import io.strata.grpc.proto.namespaces.ListNamespacesRequest;
import io.strata.grpc.proto.namespaces.NamespacesGrpc;
import io.strata.image.diff.BlobSource;
import io.strata.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Blobs read through containerd's Content API on its socket, for when its content directory is
 * not readable from here. containerd's content store is namespaced: a blob is read in the
 * caller's namespace when the request named one, and otherwise (containerd 2.1 sends a proxy
 * differ no namespace, containerd issue #12328) in the first namespace whose store holds it,
 * asking containerd for its namespaces. The connection is made on first use and kept.
 */
public final class ContainerdContent implements BlobSource, AutoCloseable {
    private static final long INFO_SECONDS = 30;

    private final Path socket;
    private UnixChannel channel;

    /** A client of the containerd serving on {@code socket}. */
    public ContainerdContent(Path socket) {
        this.socket = socket;
    }

    private synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = new UnixChannel(socket, null);
        }
        return channel.channel();
    }

    @Override
    public InputStream open(Descriptor layer, Optional<String> namespace) {
        List<String> candidates = namespace.map(List::of).orElseGet(this::namespaces);
        for (String ns : candidates) {
            long size;
            try {
                size = ContentGrpc.newBlockingStub(channel()).withInterceptors(NamespaceHeader.clientInterceptor(ns))
                        .withDeadlineAfter(INFO_SECONDS, TimeUnit.SECONDS)
                        .info(InfoRequest.newBuilder().setDigest(layer.digest()).build()).getInfo().getSize();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    continue;
                }
                throw failure("asking for blob " + layer.digest(), e);
            }
            if (size != layer.size()) {
                throw new InvalidArgumentException("blob " + layer.digest() + " in " + describe() + " has " + size
                        + " bytes, its descriptor says " + layer.size());
            }
            return new Chunks(ns, layer.digest());
        }
        throw new NotFoundException("blob " + layer.digest() + " is not in " + describe() + " (namespace"
                + (candidates.size() == 1 ? " " : "s ") + String.join(", ", candidates) + ")");
    }

    private List<String> namespaces() {
        try {
            return NamespacesGrpc.newBlockingStub(channel()).withDeadlineAfter(INFO_SECONDS, TimeUnit.SECONDS)
                    .list(ListNamespacesRequest.getDefaultInstance()).getNamespacesList().stream()
                    .map(n -> n.getName()).toList();
        } catch (StatusRuntimeException e) {
            throw failure("listing its namespaces", e);
        }
    }

    private RuntimeException failure(String doing, StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
            return new UnavailableException(describe() + " is not reachable, " + doing + ": " + e.getStatus().getDescription(), e);
        }
        return GrpcErrors.toException(e);
    }

    @Override
    public String describe() {
        return "containerd's content store at " + socket;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close(1);
            channel = null;
        }
    }

    /** The blob as one stream over containerd's Read chunks; closing it early cancels the read. */
    private final class Chunks extends InputStream {
        private final Context.CancellableContext call = Context.current().fork().withCancellation();
        private final Iterator<ReadContentResponse> responses;
        private final String digest;
        private byte[] chunk = new byte[0];
        private int pos;

        Chunks(String namespace, String digest) {
            this.digest = digest;
            var stub = ContentGrpc.newBlockingStub(channel()).withInterceptors(NamespaceHeader.clientInterceptor(namespace));
            ReadContentRequest req = ReadContentRequest.newBuilder().setDigest(digest).build();
            Context previous = call.attach();
            try {
                responses = stub.read(req);
            } finally {
                call.detach(previous);
            }
        }

        private boolean fill() throws IOException {
            while (pos == chunk.length) {
                try {
                    if (!responses.hasNext()) {
                        return false;
                    }
                    chunk = responses.next().getData().toByteArray();
                } catch (StatusRuntimeException e) {
                    throw new IOException("reading blob " + digest + " from " + describe() + ": " + e.getStatus(), e);
                }
                pos = 0;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            call.cancel(null);
        }
    }
}
