package dev.cmek.gcp.emulator;

/** Full gRPC method names the emulator serves, for its knobs and call counts. */
public final class EmulatedMethod {
    private EmulatedMethod() {}

    private static final String KMS = "google.cloud.kms.v1.KeyManagementService/";
    private static final String KEY_IAM = "google.iam.v1.IAMPolicy/";
    private static final String IAM = "google.iam.admin.v1.IAM/";
    private static final String LOCATIONS = "google.cloud.location.Locations/";
    private static final String PROJECTS = "google.cloud.resourcemanager.v3.Projects/";

    public static final String CREATE_KEY_RING = KMS + "CreateKeyRing";
    public static final String GET_KEY_RING = KMS + "GetKeyRing";
    public static final String CREATE_CRYPTO_KEY = KMS + "CreateCryptoKey";
    public static final String GET_CRYPTO_KEY = KMS + "GetCryptoKey";
    public static final String CREATE_CRYPTO_KEY_VERSION = KMS + "CreateCryptoKeyVersion";
    public static final String UPDATE_CRYPTO_KEY_PRIMARY_VERSION = KMS + "UpdateCryptoKeyPrimaryVersion";
    public static final String GET_KEY_IAM_POLICY = KEY_IAM + "GetIamPolicy";
    public static final String SET_KEY_IAM_POLICY = KEY_IAM + "SetIamPolicy";
    public static final String CREATE_SERVICE_ACCOUNT = IAM + "CreateServiceAccount";
    public static final String GET_SERVICE_ACCOUNT = IAM + "GetServiceAccount";
    public static final String LIST_SERVICE_ACCOUNTS = IAM + "ListServiceAccounts";
    public static final String GET_LOCATION = LOCATIONS + "GetLocation";
    public static final String LIST_LOCATIONS = LOCATIONS + "ListLocations";
    public static final String GET_PROJECT_IAM_POLICY = PROJECTS + "GetIamPolicy";
    public static final String SET_PROJECT_IAM_POLICY = PROJECTS + "SetIamPolicy";
    public static final String DISABLE_SERVICE_ACCOUNT = IAM + "DisableServiceAccount";
    public static final String ENABLE_SERVICE_ACCOUNT = IAM + "EnableServiceAccount";
    public static final String GET_SERVICE_ACCOUNT_IAM_POLICY = IAM + "GetIamPolicy";
    public static final String SET_SERVICE_ACCOUNT_IAM_POLICY = IAM + "SetIamPolicy";
    public static final String LIST_CRYPTO_KEYS = KMS + "ListCryptoKeys";
}
