package io.strata.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A gRPC channel to a unix socket, on Netty's JDK (NIO) domain socket transport, with its own event loop. */
final class UnixChannel implements AutoCloseable {
    private final EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ManagedChannel channel;

    /** A channel to {@code socket}, sending {@code namespace} with every call unless it is null. */
    UnixChannel(Path socket, String namespace) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
                .channelType(NioDomainSocketChannel.class)
                .eventLoopGroup(eventLoop)
                .usePlaintext()
                // What containerd's own clients send over a unix socket.
                .overrideAuthority("localhost")
                .maxInboundMessageSize(StrataServer.MAX_MESSAGE_BYTES)
                // gRPC always asks for TCP keepalive, which a unix socket lacks; null drops the option.
                .withOption(ChannelOption.SO_KEEPALIVE, null);
        if (namespace != null) {
            builder.intercept(NamespaceHeader.clientInterceptor(namespace));
        }
        this.channel = builder.build();
    }

    ManagedChannel channel() {
        return channel;
    }

    /** Lets calls in flight finish for up to {@code seconds}, cancels the rest, stops the event loop. */
    void close(long seconds) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(seconds, TimeUnit.SECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Override
    public void close() {
        close(5);
    }
}
