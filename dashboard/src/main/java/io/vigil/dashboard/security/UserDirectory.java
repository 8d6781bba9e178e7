package io.vigil.dashboard.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Who may sign in: the users file ({@link UsersFile}), read again whenever it changes so {@code ./vigil user add}
 * takes effect without a restart, plus the built-in {@code admin} when {@code vigil.dashboard.admin-password} is set
 * (it replaces a file entry of that name). If the file becomes unreadable or malformed, the last good copy stays in
 * force and the error is logged once; nobody is locked out by a typo.
 */
public final class UserDirectory implements UserDetailsService {
    private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
    public static final String BUILT_IN_ADMIN = "admin";

    private final Path file;
    private final UsersFile.Entry builtInAdmin;
    private volatile List<UsersFile.Entry> entries = List.of();
    private volatile String loadedVersion;
    private volatile String lastError;

    /** {@code file} may be null (no users file); {@code adminPassword} null or blank for no built-in admin. */
    public UserDirectory(Path file, String adminPassword, BCryptPasswordEncoder encoder) {
        this.file = file;
        this.builtInAdmin = adminPassword == null || adminPassword.isBlank() ? null
                : new UsersFile.Entry(UsersFile.Kind.USER, BUILT_IN_ADMIN, Role.ADMIN, encoder.encode(adminPassword));
        reloadIfChanged();
    }

    public Path file() {
        return file;
    }

    /** Every user and token (hashes included, for the admin page to count; never shown). */
    public List<UsersFile.Entry> entries() {
        reloadIfChanged();
        List<UsersFile.Entry> all = new java.util.ArrayList<>(entries);
        if (builtInAdmin != null) {
            all.removeIf(e -> e.kind() == UsersFile.Kind.USER && e.name().equals(BUILT_IN_ADMIN));
            all.add(0, builtInAdmin);
        }
        return all;
    }

    @Override
    public UserDetails loadUserByUsername(String name) throws UsernameNotFoundException {
        for (UsersFile.Entry e : entries()) {
            if (e.kind() == UsersFile.Kind.USER && e.name().equals(name)) {
                return User.withUsername(e.name()).password(e.hash()).authorities(e.role().authorities()).build();
            }
        }
        throw new UsernameNotFoundException("no user " + name);
    }

    /** The token's entry, compared by hash in constant time. */
    public Optional<UsersFile.Entry> token(String rawToken) {
        byte[] wanted = UsersFile.tokenHash(rawToken).getBytes(StandardCharsets.US_ASCII);
        UsersFile.Entry found = null;
        for (UsersFile.Entry e : entries()) {
            if (e.kind() == UsersFile.Kind.TOKEN
                    && MessageDigest.isEqual(wanted, e.hash().getBytes(StandardCharsets.US_ASCII))) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The last problem reading the users file, or null. */
    public String lastError() {
        return lastError;
    }

    private synchronized void reloadIfChanged() {
        if (file == null) return;
        try {
            // Modification time and size: a rewrite within the file system's time granularity still shows.
            String version = Files.exists(file) ? Files.getLastModifiedTime(file) + "/" + Files.size(file) : "absent";
            if (version.equals(loadedVersion)) return;
            entries = "absent".equals(version) ? List.of() : UsersFile.read(file);
            loadedVersion = version;
            lastError = null;
            LOG.info("Users file {}: {} user(s), {} token(s)", file,
                    entries.stream().filter(e -> e.kind() == UsersFile.Kind.USER).count(),
                    entries.stream().filter(e -> e.kind() == UsersFile.Kind.TOKEN).count());
        } catch (IOException | IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.equals(lastError)) {
                LOG.error("Users file {} not loaded; keeping the previous {} entries: {}", file, entries.size(), message);
            }
            lastError = message;
        }
    }
}
