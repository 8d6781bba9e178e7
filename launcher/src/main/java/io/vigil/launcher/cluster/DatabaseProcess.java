package io.vigil.launcher.cluster;

import io.vigil.launcher.embedded.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cluster's embedded PostgreSQL: a server process of its own (from the Maven-packaged binaries), which the
 * failure tests kill with -9 — the postmaster and every backend, as a crash of its host would — and start again on
 * the same data directory, where PostgreSQL recovers from its write-ahead log.
 */
public final class DatabaseProcess implements ClusterComponent {

    private final Path dataDir;
    private final int port;
    private volatile EmbeddedDatabase db;

    public DatabaseProcess(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public void start() throws Exception {
        db = EmbeddedDatabase.start(dataDir, port);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + EmbeddedDatabase.DATABASE;
    }

    /** The postmaster's process id, from its pid file; -1 when it does not run. */
    public long pid() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (Exception e) {
            return -1;
        }
    }

    /** kill -9 of the postmaster and all its backends. */
    public void kill() throws InterruptedException {
        long pid = pid();
        if (pid <= 0) return;
        ProcessHandle.of(pid).ifPresent(p -> {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        });
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        // Releases the embedded server's lock on its data directory (its stop command fails on a dead server, which
        // it logs), so the same directory can be started again in this JVM.
        EmbeddedDatabase d = db;
        db = null;
        if (d != null) {
            // Its failed stop command would be logged as an error, though a dead server is what was asked for.
            String logger = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
            org.apache.logging.log4j.Level before = org.apache.logging.log4j.LogManager.getLogger(logger).getLevel();
            org.apache.logging.log4j.core.config.Configurator.setLevel(logger, org.apache.logging.log4j.Level.OFF);
            try {
                d.close();
            } catch (Exception alreadyDead) {
                // Nothing left to stop.
            } finally {
                org.apache.logging.log4j.core.config.Configurator.setLevel(logger, before);
            }
        }
    }

    @Override
    public String status() {
        long pid = pid();
        boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return alive ? "running, pid " + pid + ", " + jdbcUrl() : "NOT RUNNING";
    }

    @Override
    public void close() throws Exception {
        EmbeddedDatabase d = db;
        if (d != null) d.close();
        db = null;
    }
}
