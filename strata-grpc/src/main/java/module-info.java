/**
 * containerd's snapshots, events and diff services over gRPC: the server behind {@code strata daemon},
 * and a {@link io.strata.api.Snapshotter} that is a client of such a server.
 */
module io.strata.grpc {
    requires transitive io.strata.api;
    requires transitive io.strata.events;
    requires transitive io.strata.service;
    requires transitive io.strata.image;
    requires com.google.protobuf;
    requires io.grpc;
    requires io.grpc.netty;
    requires io.grpc.protobuf;
    requires io.grpc.services;
    requires io.grpc.stub;
    requires io.netty.common;
    // grpc-netty is an automatic module: it reads whatever is resolved but resolves nothing, so
    // the netty modules it runs on are required here.
    requires io.netty.codec.http2;
    requires com.google.common.util.concurrent.internal; // guava's failureaccess
    requires io.netty.transport;
    requires com.google.common; // the generated stubs return ListenableFuture

    exports io.strata.grpc;
    // The generated messages are read reflectively by protobuf's runtime.
    exports io.strata.grpc.proto.snapshots to com.google.protobuf;
    exports io.strata.grpc.proto.events to com.google.protobuf;
    exports io.strata.grpc.proto.eventtypes to com.google.protobuf;
    exports io.strata.grpc.proto.imageevents to com.google.protobuf;
    exports io.strata.grpc.proto.types to com.google.protobuf;
    exports io.strata.grpc.proto.diff to com.google.protobuf;
    exports io.strata.grpc.proto.content to com.google.protobuf;
    exports io.strata.grpc.proto.namespaces to com.google.protobuf;
    exports io.strata.grpc.proto.version to com.google.protobuf;
    exports io.strata.grpc.proto.introspection to com.google.protobuf;
}
