package io.vigil.notify.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS that trusts the CA certificates of one PEM file only, as Alertmanager's {@code tls_config.ca_file} does: for a
 * receiver whose HTTPS certificate comes from a site's own CA. Host names are still checked.
 */
public final class TrustedCa {

    private TrustedCa() {}

    /**
     * @throws IllegalStateException in plain words when the file cannot be read or holds no certificate
     */
    public static SSLContext context(String caFile) {
        Path pem = Path.of(caFile);
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalStateException("tls_config.ca_file " + caFile + " cannot be read ("
                    + (e.getMessage() == null ? "no such file" : e.getMessage()) + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("tls_config.ca_file " + caFile + " is not a PEM certificate file");
        }
        if (certificates.isEmpty()) {
            throw new IllegalStateException("tls_config.ca_file " + caFile + " holds no certificate");
        }
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : certificates) trusted.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("tls_config.ca_file " + caFile + ": " + e.getMessage());
        }
    }
}
