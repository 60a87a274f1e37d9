package dev.cmek.azure;

/** No Azure credentials were found, or Entra ID refused the ones found; the message names what was tried. */
public final class NoCredentialsException extends AzureCmekException {
    public NoCredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
