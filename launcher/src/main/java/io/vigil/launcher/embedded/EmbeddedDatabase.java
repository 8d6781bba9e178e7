package io.vigil.launcher.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (binaries from Maven artifacts) with its data in {@code dataDir}, kept between runs.
 * Listens on 127.0.0.1 only, with trust authentication: database {@code vigil}, user {@code vigil}, password
 * {@code vigil}. For a demo on one machine, not for production.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    public static final String DATABASE = "vigil", USER = "vigil", PASSWORD = "vigil";

    private final EmbeddedPostgres postgres;
    private final int port;

    private EmbeddedDatabase(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    public static EmbeddedDatabase start(Path dataDir, int port) throws Exception {
        Files.createDirectories(dataDir.getParent() == null ? dataDir : dataDir.getParent());
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDir.toAbsolutePath())
                .setCleanDataDirectory(false)
                // The launcher stops the database itself, after the writer: its own hook would race the writer's
                // last flush at Ctrl-C.
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "50")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("synchronous_commit", "off")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + USER + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
                }
            }
        }
        return new EmbeddedDatabase(pg, pg.getPort());
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        postgres.close();
    }
}
