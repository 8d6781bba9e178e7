package io.vigil.launcher.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TLS material of a local Kafka cluster, made once with the JDK's {@code keytool} and kept in {@code dir}: one
 * self-signed node certificate for 127.0.0.1 and localhost (every node presents it, and it is its own trust anchor),
 * its PKCS12 keystore, a PKCS12 truststore for the nodes, and the certificate as PEM for clients. A production
 * cluster uses certificates from its own authority instead (Strimzi makes them); this is what {@code ./vigil
 * cluster} and the tests use.
 */
public record KafkaTls(Path keystore, Path truststore, Path certificatePem, String storePassword) {

    public static final String NODE_PRINCIPAL = "CN=vigil-kafka";

    /** The material in {@code dir}, made there first if missing. */
    public static KafkaTls inDirectory(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("kafka-node.p12");
        Path truststore = dir.resolve("kafka-truststore.p12");
        Path pem = dir.resolve("kafka-ca.pem");
        Path passwordFile = dir.resolve("store-password");
        if (!Files.exists(passwordFile) || !Files.exists(keystore) || !Files.exists(truststore) || !Files.exists(pem)) {
            for (Path p : List.of(keystore, truststore, pem, passwordFile)) Files.deleteIfExists(p);
            String password = randomSecret();
            keytool("-genkeypair", "-alias", "vigil-kafka", "-keyalg", "RSA", "-keysize", "2048", "-validity", "825",
                    "-dname", NODE_PRINCIPAL, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", "vigil-kafka", "-keystore", keystore.toString(), "-storepass",
                    password, "-file", pem.toString());
            keytool("-importcert", "-noprompt", "-alias", "vigil-kafka", "-file", pem.toString(), "-storetype",
                    "PKCS12", "-keystore", truststore.toString(), "-storepass", password);
            Files.createFile(passwordFile,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passwordFile, password);
            Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
        }
        return new KafkaTls(keystore, truststore, pem, Files.readString(passwordFile).trim());
    }

    /** A random password: 24 hex characters. */
    public static String randomSecret() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out.trim());
        }
    }
}
