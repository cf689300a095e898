package io.strata.grpc;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.AbstractNioMessageChannel;
import io.netty.channel.nio.NioIoOps;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * A Netty server channel over a unix socket that is already bound and listening, handed over by
 * a service manager (systemd socket activation). Netty's own domain-socket server channel always
 * binds, which an inherited socket must not: here binding is a no-op and the address gRPC asks
 * for is ignored. Connections that queued in the backlog before the daemon started are accepted
 * like any other.
 */
final class InheritedServerChannel extends AbstractNioMessageChannel implements ServerChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private final ChannelConfig config = new DefaultChannelConfig(this);

    InheritedServerChannel(ServerSocketChannel listening) {
        super(null, listening, NioIoOps.ACCEPT);
    }

    @Override
    protected ServerSocketChannel javaChannel() {
        return (ServerSocketChannel) super.javaChannel();
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return isOpen();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        // bound and listening already: the service manager did both
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws IOException {
        SocketChannel accepted = javaChannel().accept();
        if (accepted == null) {
            return 0;
        }
        buf.add(new NioDomainSocketChannel(this, accepted));
        return 1;
    }

    @Override
    protected boolean doWriteMessage(Object msg, ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException("a listening socket writes nothing");
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) {
        throw new UnsupportedOperationException("a listening socket does not connect");
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException("a listening socket does not connect");
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a listening socket does not disconnect");
    }

    @Override
    protected void doClose() throws IOException {
        javaChannel().close();
    }

    @Override
    protected SocketAddress localAddress0() {
        try {
            return javaChannel().getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }
}
