package dev.cmek.gcp;

/** One role held by one member in an IAM policy, without a condition. */
public record Grant(String role, Member member) {
    public static final String TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator";
    public static final String ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

    @Override
    public String toString() {
        return role + " -> " + member;
    }
}
