package dev.cmek.sandbox;

/** An error answer of the sandbox: HTTP status, the gRPC code the real (grpc-gateway) API puts in the body, and the message. */
final class ApiError extends RuntimeException {

    final int httpStatus;
    final int grpcCode;

    private ApiError(int httpStatus, int grpcCode, String message) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
    }

    static ApiError invalidArgument(String message) {
        return new ApiError(400, 3, message);
    }

    static ApiError failedPrecondition(String message) {
        return new ApiError(400, 9, message);
    }

    static ApiError unauthenticated(String message) {
        return new ApiError(401, 16, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, 5, message);
    }

    static ApiError methodNotAllowed(String message) {
        return new ApiError(405, 12, message);
    }

    static ApiError locked(String message) {
        return new ApiError(409, 10, message);
    }

    static ApiError rateLimited(String message) {
        return new ApiError(429, 8, message);
    }

    static ApiError unavailable(String message) {
        return new ApiError(503, 14, message);
    }

    static ApiError injected(int httpStatus) {
        return switch (httpStatus) {
            case 500 -> new ApiError(500, 13, "internal error (injected by the sandbox)");
            case 503 -> new ApiError(503, 14, "service unavailable (injected by the sandbox)");
            default -> throw new IllegalArgumentException("injected failures must be 500 or 503, not " + httpStatus);
        };
    }
}
