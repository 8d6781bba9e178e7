package io.vigil.launcher.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

/** A component's settings as a properties file (keys as in the README's Configuration), readable by its owner only. */
public final class SettingsFile {

    private SettingsFile() {}

    /**
     * Writes {@code values} (a null value is left out) to {@code file}, made afresh with owner-only permissions: it
     * may hold the database password.
     */
    public static Path write(Path file, Map<String, String> values, String comment) throws IOException {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (v != null) p.setProperty(k, v);
        });
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, comment);
        }
        return file;
    }
}
