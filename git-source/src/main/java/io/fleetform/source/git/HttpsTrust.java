package io.fleetform.source.git;

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
 * JGit's JDK HTTP connections that trust exactly the certificates of one CA file (PEM or DER),
 * for the connections of one repository only: the JVM's default trust (its trust store, which
 * {@code -Djavax.net.ssl.trustStore} changes) stays as it is for everything else. Both git sources and
 * the git state backend's {@code ca_file} use it, so the two read a CA file and word its faults alike.
 */
public final class HttpsTrust extends JDKHttpConnectionFactory {
    private final Path file;
    private final TrustManager[] trust;

    private HttpsTrust(Path file, TrustManager[] trust) {
        this.file = file;
        this.trust = trust;
    }

    /**
     * Reads every certificate of {@code caFile}; the exception's message names the file and says
     * what is wrong with it (missing, unreadable, empty, not a certificate).
     */
    public static HttpsTrust fromFile(Path caFile) throws GitException {
        Path file = caFile.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new GitException("the CA file " + file + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return new HttpsTrust(file, factory.getTrustManagers());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new GitException("the CA file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new GitException("cannot read the CA file " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new GitException("the CA file " + file + " is not a PEM or DER certificate: " + e.getMessage(), e);
        }
    }

    /** The CA file, absolute. */
    public Path file() {
        return file;
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        HttpConnection connection = super.create(url, proxy);
        if ("https".equalsIgnoreCase(url.getProtocol())) {
            try {
                connection.configure(null, trust, null);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS with the CA file " + file + ": " + e.getMessage(), e);
            }
        }
        return connection;
    }
}
