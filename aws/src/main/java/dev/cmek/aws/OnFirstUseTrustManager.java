package dev.cmek.aws;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JVM's default trust manager, made on the first TLS handshake instead of when the HTTP client is built. The SDK's
 * HTTP client builds its TLS context in its constructor, and with no trust managers given, that context loads and
 * parses the whole default trust store ({@code cacerts}, or {@code javax.net.ssl.trustStore}) there: about 70 ms of a
 * cold process's main thread before the first call can start, measured with a wall-clock profile of
 * {@code revoke --cloud-only}. Made here instead, it is loaded once, by the first call that opens a TLS connection,
 * while the other Regions' first calls are being prepared; a run whose endpoint is plain HTTP (an emulator) never
 * loads it.
 *
 * <p>What it trusts is exactly what the SDK's default trusts: the same factory ({@link
 * TrustManagerFactory#getDefaultAlgorithm()}, PKIX) initialised the same way ({@code init((KeyStore) null)}, as
 * {@code SSLContext.init} does with no trust managers), and every check, including the host name check the HTTPS
 * connection asks for through the socket's parameters, is the delegate's own. If the trust store cannot be loaded,
 * every handshake fails (never trusts by default).
 */
final class OnFirstUseTrustManager extends X509ExtendedTrustManager {
    private volatile X509ExtendedTrustManager delegate;

    /** Whether the trust store was loaded (tests). */
    boolean loaded() {
        return delegate != null;
    }

    private X509ExtendedTrustManager delegate() throws CertificateException {
        X509ExtendedTrustManager d = delegate;
        if (d == null) {
            synchronized (this) {
                d = delegate;
                if (d == null) {
                    d = load();
                    delegate = d;
                }
            }
        }
        return d;
    }

    static X509ExtendedTrustManager load() throws CertificateException {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new CertificateException("the default trust manager factory has no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new CertificateException("cannot load the default trust store: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        try {
            return delegate().getAcceptedIssuers();
        } catch (CertificateException e) {
            // Only a server asks this (to request client certificates); with no trust store there is no issuer.
            return new X509Certificate[0];
        }
    }
}
