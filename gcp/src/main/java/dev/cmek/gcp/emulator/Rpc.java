package dev.cmek.gcp.emulator;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.function.Supplier;

/** Runs one unary handler under the state lock and answers with its result or its gRPC status. */
final class Rpc {
    private Rpc() {}

    static <T> void answer(Object lock, StreamObserver<T> out, Supplier<T> handler) {
        T result;
        try {
            synchronized (lock) {
                result = handler.get();
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            out.onError(Status.INTERNAL
                    .withDescription(String.valueOf(e))
                    .withCause(e)
                    .asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    static StatusRuntimeException notFound(String what) {
        return Status.NOT_FOUND.withDescription(what + " not found.").asRuntimeException();
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** A status carrying {@code google.rpc} details (ErrorInfo, PreconditionFailure, ...), as Google sends them. */
    static StatusRuntimeException withDetails(Status.Code code, String message, Message... details) {
        com.google.rpc.Status.Builder s =
                com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
        for (Message d : details) {
            s.addDetails(Any.pack(d));
        }
        return StatusProto.toStatusRuntimeException(s.build());
    }

    static Timestamp now() {
        Instant i = Instant.now();
        return Timestamp.newBuilder()
                .setSeconds(i.getEpochSecond())
                .setNanos(i.getNano())
                .build();
    }
}
