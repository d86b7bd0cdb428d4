package io.fleetform.provider.host.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a pool's agents are trusted: {@code https://} agents by a CA bundle or a pinned certificate
 * (or the JDK's CAs); plain HTTP only to this machine, or to others when the pool says
 * {@code insecure = true}, because the agent token then crosses the network in clear.
 *
 * @param caFile absolute path of a PEM bundle, or null
 * @param pin    {@code sha256:<hex>} of the certificate the agents present, or null
 */
record AgentTrust(String caFile, String pin) {
    static final AgentTrust DEFAULT = new AgentTrust(null, null);

    /** The agent's base URI: {@code host:port} is plain HTTP. */
    static URI uri(String agent) {
        return URI.create(agent.startsWith("http://") || agent.startsWith("https://") ? agent : "http://" + agent);
    }

    /** True when talking to this agent would send the token over plain HTTP to another machine. */
    static boolean plainToAnotherMachine(String agent) {
        URI uri = uri(agent);
        if (!"http".equals(uri.getScheme())) {
            return false;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

    /** The SSL context for this trust, or null for the JDK's defaults. */
    SSLContext sslContext() throws IOException {
        try {
            if (pin != null) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new Pinned(pin)}, null);
                return ctx;
            }
            if (caFile == null) {
                return null;
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
            }
            if (i == 0) {
                throw new IOException("the CA bundle " + caFile + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + (pin != null ? "the pinned certificate " + pin : "the CA bundle "
                    + caFile) + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 fingerprint as a pin is written: {@code sha256:<lowercase hex>} of the DER encoding. */
    static String fingerprint(Certificate c) throws CertificateException {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Trusts exactly the pinned certificate (as the server's own, first in its chain), whatever its
     * issuer or names: the pin says which one it is.
     */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final String pin;

        Pinned(String pin) {
            this.pin = pin.toLowerCase(Locale.ROOT).replace(":", "").replaceFirst("^sha256", "sha256:");
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !fingerprint(chain[0]).equals(pin)) {
                throw new CertificateException("the agent's certificate " + (chain == null || chain.length == 0 ? ""
                        : fingerprint(chain[0]) + " ") + "is not the pinned " + pin);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
