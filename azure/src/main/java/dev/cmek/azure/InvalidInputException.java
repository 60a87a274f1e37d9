package dev.cmek.azure;

/** Input the adapter cannot act on (a malformed id, an unknown region, ...); nothing was sent to Azure. */
public final class InvalidInputException extends AzureCmekException {
    public InvalidInputException(String message) {
        super(message);
    }
}
