package dev.cmek.azure;

/**
 * Signs in as {@link AzureClients} would from this process's environment and asks for an ARM token: exit 0 with a
 * token, 1 with the failure's message on stdout. Run by tests in a JVM of its own, because MSAL keeps what it learnt of
 * each authority host for the life of a JVM, so in a test JVM an earlier credential decides whether it asks at all.
 */
public final class SignInProbe {
    private SignInProbe() {}

    public static void main(String[] args) {
        try {
            AzureClients.fromEnvironment(System.getenv())
                    .credential()
                    .getTokenSync(AzureClients.tokenRequest(AzureClients.ARM));
            System.out.println("signed in");
            System.exit(0);
        } catch (RuntimeException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
