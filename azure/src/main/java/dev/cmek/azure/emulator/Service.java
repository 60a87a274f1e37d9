package dev.cmek.azure.emulator;

/** One emulated Azure host: names each request's operation, answers it, and words injected faults its own way. */
interface Service {
    /** A stable operation name such as {@code keyvault.keys.create}, for knobs and call counts. */
    String operation(Http.Request request);

    Http.Response handle(Http.Request request, String operation);

    /** 429 as this service words throttling, with {@code Retry-After}. */
    Http.Response throttled(Http.Request request, String operation, long retryAfterSeconds);

    /** 403 as this service words a caller without the permission the operation needs. */
    Http.Response denied(Http.Request request, String operation);

    /** An injected server error ({@code status} 500 or 503) as this service words it. */
    Http.Response serverError(Http.Request request, String operation, int status);
}
