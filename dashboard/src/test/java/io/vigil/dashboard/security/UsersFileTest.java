package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

class UsersFileTest {
    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(4);

    @Test
    void roundTripsUsersAndTokens(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        List<UsersFile.Entry> entries = List.of(
                new UsersFile.Entry(UsersFile.Kind.USER, "ana", Role.OPERATOR, BCRYPT.encode("s3cret-pass")),
                new UsersFile.Entry(UsersFile.Kind.TOKEN, "ci", Role.VIEWER, UsersFile.tokenHash("vgl_abc")));
        UsersFile.write(file, entries);
        assertThat(UsersFile.read(file)).isEqualTo(entries);
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void malformedLinesNameTheFileAndLine() {
        assertThatThrownBy(() -> UsersFile.parse(List.of("# c", "user ana operator"), "users"))
                .hasMessageContaining("users line 2").hasMessageContaining("got 3 fields");
        assertThatThrownBy(() -> UsersFile.parse(List.of("user ana boss $2a$10$" + "a".repeat(53)), "f"))
                .hasMessageContaining("f line 1").hasMessageContaining("viewer, operator or admin");
        assertThatThrownBy(() -> UsersFile.parse(List.of("user ana viewer plaintext"), "f"))
                .hasMessageContaining("not a bcrypt hash");
        assertThatThrownBy(() -> UsersFile.parse(List.of("group ana viewer x"), "f"))
                .hasMessageContaining("'user' or 'token'");
        String hash = BCRYPT.encode("password1");
        assertThatThrownBy(() -> UsersFile.parse(List.of("user ana viewer " + hash, "user ana admin " + hash), "f"))
                .hasMessageContaining("line 2").hasMessageContaining("twice");
        assertThatThrownBy(() -> UsersFile.parse(List.of("user a/b viewer " + hash), "f"))
                .hasMessageContaining("name must be");
    }

    @Test
    void directoryReloadsWhenTheFileChangesAndKeepsTheLastGoodCopy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        UserDirectory users = new UserDirectory(file, null, BCRYPT);
        assertThat(users.entries()).isEmpty();
        UsersFile.write(file, List.of(new UsersFile.Entry(UsersFile.Kind.USER, "ana", Role.VIEWER, BCRYPT.encode("password1"))));
        assertThat(users.loadUserByUsername("ana").getAuthorities()).extracting(Object::toString)
                .containsExactly("ROLE_VIEWER");
        Files.writeString(file, "this is not a users file\n");
        assertThat(users.loadUserByUsername("ana")).isNotNull();
        assertThat(users.lastError()).contains("line 1");
    }

    @Test
    void builtInAdminReplacesAFileEntryOfThatName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        UsersFile.write(file, List.of(new UsersFile.Entry(UsersFile.Kind.USER, "admin", Role.VIEWER, BCRYPT.encode("old-password"))));
        UserDirectory users = new UserDirectory(file, "new-password", BCRYPT);
        var admin = users.loadUserByUsername("admin");
        assertThat(BCRYPT.matches("new-password", admin.getPassword())).isTrue();
        assertThat(admin.getAuthorities()).extracting(Object::toString)
                .containsExactlyInAnyOrder("ROLE_VIEWER", "ROLE_OPERATOR", "ROLE_ADMIN");
    }

    @Test
    void tokensMatchByHashOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        UsersFile.write(file, List.of(new UsersFile.Entry(UsersFile.Kind.TOKEN, "ci", Role.OPERATOR, UsersFile.tokenHash("vgl_right"))));
        UserDirectory users = new UserDirectory(file, null, BCRYPT);
        assertThat(users.token("vgl_right")).map(UsersFile.Entry::name).contains("ci");
        assertThat(users.token("vgl_wrong")).isEmpty();
        assertThat(Files.readString(file)).doesNotContain("vgl_right");
    }

    @Test
    void cliAddsChangesListsAndRemoves(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        var stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("correct horse\n".getBytes()));
            assertThat(UserFileCli.run(new String[] {"add", "ana", "--role", "operator", "--password-stdin",
                    "--file", file.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isZero();
            System.setIn(new java.io.ByteArrayInputStream("short\n".getBytes()));
            assertThat(UserFileCli.run(new String[] {"add", "bo", "--role", "viewer", "--password-stdin",
                    "--file", file.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isEqualTo(2);
        } finally {
            System.setIn(stdin);
        }
        assertThat(err.toString()).contains("at least 8 characters");
        assertThat(UserFileCli.run(new String[] {"token", "ci", "--role", "viewer", "--file", file.toString()},
                new java.io.PrintStream(out), new java.io.PrintStream(err))).isZero();
        String token = out.toString().lines().filter(l -> l.startsWith("vgl_")).findFirst().orElseThrow();
        UserDirectory users = new UserDirectory(file, null, BCRYPT);
        assertThat(BCRYPT.matches("correct horse", users.loadUserByUsername("ana").getPassword())).isTrue();
        assertThat(users.token(token)).isPresent();
        assertThat(UserFileCli.run(new String[] {"add", "x", "--role", "boss", "--password-stdin", "--file",
                file.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isEqualTo(2);
        assertThat(UserFileCli.run(new String[] {"remove", "ana", "--file", file.toString()},
                new java.io.PrintStream(out), new java.io.PrintStream(err))).isZero();
        assertThat(UsersFile.read(file)).extracting(UsersFile.Entry::name).containsExactly("ci");
    }
}
