package io.vigil.launcher.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/** This JVM's class path as a list of entries, for the processes the launcher starts. */
final class Classpath {

    private Classpath() {}

    /**
     * Every entry of {@code java.class.path}; the manifest-only jar a test runner starts its JVM with is replaced by
     * the entries its manifest names, so filtering by file name sees the real jars.
     */
    static List<String> entries() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path p = Path.of(entry);
            List<String> named = p.getFileName().toString().startsWith("surefirebooter") && Files.isRegularFile(p)
                    ? manifestClassPath(p) : List.of();
            if (named.isEmpty()) out.add(entry);
            else out.addAll(named);
        }
        return out;
    }

    static String current() {
        return String.join(File.pathSeparator, entries());
    }

    private static List<String> manifestClassPath(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            var manifest = j.getManifest();
            String cp = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (cp == null) return List.of();
            List<String> out = new ArrayList<>();
            for (String item : cp.trim().split("\\s+")) {
                URI uri = jar.toUri().resolve(item);
                out.add(Path.of(uri).toString());
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
    }
}
