package io.vigil.dashboard.security;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * {@code ./vigil user}: edits the users file without starting the dashboard (a running dashboard picks the change
 * up by itself).
 * <pre>
 * ./vigil user add NAME --role ROLE [--password-stdin] [--file F]   add or change a user (asks for the password)
 * ./vigil user token NAME --role ROLE [--file F]                    a new API token, printed once
 * ./vigil user remove NAME [--file F]                                 remove the user and its tokens
 * ./vigil user list [--file F]
 * </pre>
 * The file defaults to {@code VIGIL_DASHBOARD_USERS_FILE}, else {@code .vigil/users}.
 */
public final class UserFileCli {
    static final int MIN_PASSWORD = 8;

    private UserFileCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return execute(args, out);
        } catch (IllegalArgumentException e) {
            err.println("vigil user: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("vigil user: " + e);
            return 1;
        }
    }

    private static int execute(String[] args, PrintStream out) throws Exception {
        List<String> rest = new ArrayList<>();
        String role = null, file = System.getenv("VIGIL_DASHBOARD_USERS_FILE");
        boolean stdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--role" -> role = value(args, ++i, "--role");
                case "--file" -> file = value(args, ++i, "--file");
                case "--password-stdin" -> stdin = true;
                default -> {
                    if (args[i].startsWith("--")) throw new IllegalArgumentException("unknown option " + args[i]);
                    rest.add(args[i]);
                }
            }
        }
        if (rest.isEmpty()) throw new IllegalArgumentException("usage: ./vigil user add|token|remove|list ...");
        Path path = Path.of(file == null || file.isBlank() ? ".vigil/users" : file);
        List<UsersFile.Entry> entries = new ArrayList<>(UsersFile.read(path));
        String cmd = rest.get(0);
        if (cmd.equals("list")) {
            if (entries.isEmpty()) out.println("No users in " + path + ".");
            for (UsersFile.Entry e : entries) {
                out.printf("%-6s %-24s %s%n", e.kind().name().toLowerCase(), e.name(), e.role().label());
            }
            return 0;
        }
        if (rest.size() != 2) throw new IllegalArgumentException(cmd + " needs one NAME");
        String name = rest.get(1);
        switch (cmd) {
            case "add" -> {
                Role r = Role.parse(need(role));
                String password = stdin ? readLine() : prompt(name);
                if (password == null || password.length() < MIN_PASSWORD) {
                    throw new IllegalArgumentException("the password must have at least " + MIN_PASSWORD + " characters");
                }
                boolean existed = entries.removeIf(e -> e.kind() == UsersFile.Kind.USER && e.name().equals(name));
                entries.add(new UsersFile.Entry(UsersFile.Kind.USER, name, r, new BCryptPasswordEncoder().encode(password)));
                UsersFile.write(path, entries);
                out.println((existed ? "Changed" : "Added") + " user " + name + " (" + r.label() + ") in " + path);
            }
            case "token" -> {
                Role r = Role.parse(need(role));
                byte[] raw = new byte[32];
                new SecureRandom().nextBytes(raw);
                String token = "vgl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                entries.removeIf(e -> e.kind() == UsersFile.Kind.TOKEN && e.name().equals(name));
                entries.add(new UsersFile.Entry(UsersFile.Kind.TOKEN, name, r, UsersFile.tokenHash(token)));
                UsersFile.write(path, entries);
                out.println("API token for " + name + " (" + r.label() + "), shown only now; use it as "
                        + "'Authorization: Bearer <token>':");
                out.println(token);
            }
            case "remove" -> {
                boolean removed = entries.removeIf(e -> e.name().equals(name));
                if (!removed) throw new IllegalArgumentException("no user or token " + name + " in " + path);
                UsersFile.write(path, entries);
                out.println("Removed " + name + " from " + path);
            }
            default -> throw new IllegalArgumentException("unknown command '" + cmd + "': add, token, remove or list");
        }
        return 0;
    }

    private static String need(String role) {
        if (role == null) throw new IllegalArgumentException("--role viewer|operator|admin is required");
        return role;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    private static String readLine() throws Exception {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    private static String prompt(String name) {
        Console c = System.console();
        if (c == null) throw new IllegalArgumentException("no terminal to ask for the password: use --password-stdin");
        char[] a = c.readPassword("Password for %s: ", name);
        char[] b = c.readPassword("Again: ");
        if (a == null || b == null || !new String(a).equals(new String(b))) {
            throw new IllegalArgumentException("the passwords differ");
        }
        return new String(a);
    }
}
