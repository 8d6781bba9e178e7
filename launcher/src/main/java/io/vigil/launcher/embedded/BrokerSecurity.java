package io.vigil.launcher.embedded;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;

/**
 * A Kafka node's security: clients connect with SASL/SCRAM over TLS only, the nodes to each other by SCRAM as
 * {@code brokerUser} over TLS too, and the KRaft controllers (SCRAM cannot authenticate there: the credentials live
 * in the metadata the controllers serve) by mutual TLS with the node certificate. Every request is authorised by
 * ACLs ({@code StandardAuthorizer}); {@code brokerUser}, {@code adminUser} and the node certificate are super users.
 * The two users' SCRAM credentials are written when a node's storage is formatted, so the cluster can be
 * administered before any user is created through it.
 *
 * @param keystore   the node's key and certificate (PKCS12)
 * @param truststore the certificates nodes trust (PKCS12), the node certificate's issuer among them
 * @param nodePrincipal the principal of the node certificate, e.g. {@code CN=vigil-kafka}
 */
public record BrokerSecurity(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
                             String nodePrincipal, String mechanism, String brokerUser, String brokerPassword,
                             String adminUser, String adminPassword) {

    /** The users whose SCRAM credentials formatting writes, in the storage tool's syntax. */
    List<String> scramArguments() {
        return List.of(mechanism + "=[name=" + brokerUser + ",password=" + brokerPassword + "]",
                mechanism + "=[name=" + adminUser + ",password=" + adminPassword + "]");
    }

    String superUsers() {
        return "User:" + brokerUser + ";User:" + adminUser + ";User:" + nodePrincipal;
    }

    /** Saved for a node process, readable by its owner only (it holds passwords). */
    public void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("keystore", keystore.toString());
        p.setProperty("keystore-password", keystorePassword);
        p.setProperty("truststore", truststore.toString());
        p.setProperty("truststore-password", truststorePassword);
        p.setProperty("node-principal", nodePrincipal);
        p.setProperty("mechanism", mechanism);
        p.setProperty("broker-user", brokerUser);
        p.setProperty("broker-password", brokerPassword);
        p.setProperty("admin-user", adminUser);
        p.setProperty("admin-password", adminPassword);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "A Kafka node's TLS and SCRAM settings (BrokerSecurity)");
        }
    }

    public static BrokerSecurity load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return new BrokerSecurity(Path.of(p.getProperty("keystore")), p.getProperty("keystore-password"),
                Path.of(p.getProperty("truststore")), p.getProperty("truststore-password"),
                p.getProperty("node-principal"), p.getProperty("mechanism"), p.getProperty("broker-user"),
                p.getProperty("broker-password"), p.getProperty("admin-user"), p.getProperty("admin-password"));
    }

    @Override
    public String toString() {
        return "BrokerSecurity[" + mechanism + ", super users " + superUsers() + "]";
    }
}
