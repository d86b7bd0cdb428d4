package io.fleetform.state.git;

import io.fleetform.engine.state.StateException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's JDK HTTP connections that trust exactly the certificates of one {@code ca_file} (PEM or
 * DER), set on this backend's transports only: the JVM's default trust and other backends are
 * untouched.
 */
final class GitHttpTrust extends JDKHttpConnectionFactory {
    private final TrustManager[] trust;

    private GitHttpTrust(TrustManager[] trust) {
        this.trust = trust;
    }

    static GitHttpTrust fromFile(Path caFile) throws StateException {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new StateException("backend \"git\": ca_file " + caFile + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return new GitHttpTrust(factory.getTrustManagers());
        } catch (IOException e) {
            throw new StateException("backend \"git\": cannot read ca_file " + caFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new StateException("backend \"git\": ca_file " + caFile + " is not a PEM or DER certificate: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        HttpConnection connection = super.create(url, proxy);
        if ("https".equalsIgnoreCase(url.getProtocol())) {
            try {
                connection.configure(null, trust, null);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS with ca_file: " + e.getMessage(), e);
            }
        }
        return connection;
    }
}
