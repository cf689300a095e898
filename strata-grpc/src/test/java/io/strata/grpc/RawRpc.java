package io.strata.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls a method by its full name with a request given as raw bytes, bypassing the generated
 * stubs, so that a test can send what no well-behaved client would.
 */
final class RawRpc {
    /** How a call ended: its status and how many response messages came before it. */
    record Outcome(Status status, int responses) {
        Status.Code code() {
            return status.getCode();
        }
    }

    private final Channel channel;
    private final long deadlineSeconds;

    /** Calls on {@code channel}; each call gets a deadline of {@code deadlineSeconds}, as a hang detector. */
    RawRpc(Channel channel, long deadlineSeconds) {
        this.channel = channel;
        this.deadlineSeconds = deadlineSeconds;
    }

    /**
     * Sends {@code request} as the only message of a call to {@code fullMethod} (as in
     * {@code "containerd.services.snapshots.v1.Snapshots/Prepare"}) and reads every response.
     */
    Outcome call(String fullMethod, byte[] request) {
        // Server streaming fits every method here: one request, then as many responses as come.
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
                .setFullMethodName(fullMethod)
                .setRequestMarshaller(UnparsableRequests.BYTES)
                .setResponseMarshaller(UnparsableRequests.BYTES)
                .build();
        ClientCall<byte[], byte[]> call = channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS));
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            private int responses;

            @Override
            public void onMessage(byte[] message) {
                responses++;
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                done.complete(new Outcome(status, responses));
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        try {
            // The call's own deadline ends it; this bound only guards against a lost onClose.
            return done.get(deadlineSeconds + 30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel("interrupted", e);
            throw new IllegalStateException("interrupted while calling " + fullMethod, e);
        } catch (ExecutionException | TimeoutException e) {
            call.cancel("no outcome", e);
            throw new AssertionError("call to " + fullMethod + " never closed", e);
        }
    }
}
