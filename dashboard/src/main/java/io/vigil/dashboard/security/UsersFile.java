package io.vigil.dashboard.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The dashboard's users and API tokens, one per line, written by {@code ./vigil user}:
 * <pre>
 * user  ana       operator  $2a$10$...        (a bcrypt hash of the password)
 * token ci-script viewer    sha256:4f1c...    (the SHA-256 of the token; the token itself is shown once)
 * </pre>
 * Blank lines and lines starting with {@code #} are ignored. Names are 1–64 of {@code [A-Za-z0-9._@-]}; a user and a
 * token may share a name (the token acts as that name). A malformed line is an error naming the file and line,
 * never a silently missing user.
 */
public final class UsersFile {

    public enum Kind { USER, TOKEN }

    /** One line: a password user or an API token. */
    public record Entry(Kind kind, String name, Role role, String hash) {
        public Entry {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1-64 of letters, digits and . _ @ -, was '" + name + "'");
            }
            if (kind == Kind.USER && !BCRYPT.matcher(hash).matches()) {
                throw new IllegalArgumentException("user " + name + ": not a bcrypt hash");
            }
            if (kind == Kind.TOKEN && !TOKEN_HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException("token " + name + ": hash must be sha256:<64 hex digits>");
            }
        }
    }

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final Pattern TOKEN_HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    private UsersFile() {}

    public static List<Entry> parse(List<String> lines, String source) {
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            String where = source + " line " + (i + 1) + ": ";
            if (f.length != 4) {
                throw new IllegalArgumentException(where + "expected 'user|token NAME ROLE HASH', got " + f.length + " fields");
            }
            Kind kind;
            try {
                kind = Kind.valueOf(f[0].toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "first field must be 'user' or 'token', was '" + f[0] + "'");
            }
            try {
                Entry e = new Entry(kind, f[1], Role.parse(f[2]), f[3]);
                if (!seen.add(kind + " " + e.name())) {
                    throw new IllegalArgumentException(kind.name().toLowerCase(java.util.Locale.ROOT) + " " + e.name()
                            + " appears twice");
                }
                out.add(e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        return out;
    }

    public static List<Entry> read(Path file) throws IOException {
        if (!Files.exists(file)) return List.of();
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    public static String render(List<Entry> entries) {
        StringBuilder b = new StringBuilder("# Vigil dashboard users and API tokens; edit with ./vigil user (see README 'Sign-in and roles').\n");
        for (Entry e : entries) {
            b.append(e.kind().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(e.name()).append(' ')
                    .append(e.role().label()).append(' ').append(e.hash()).append('\n');
        }
        return b.toString();
    }

    /** Replaces the file in one step (a reader sees the old or the new file, never half), readable by its owner only. */
    public static void write(Path file, List<Entry> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".users", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's ACL applies.
            }
            Files.writeString(tmp, render(entries), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The stored form of an API token. */
    public static String tokenHash(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
