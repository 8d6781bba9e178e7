package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table against the code's defaults ({@link PlatformConfig#defaults()}, which gathers
 * every component's): every key is documented, and where the table gives a value it is the code's. Fails on drift
 * either way.
 */
class ReadmeSettingsTest {

    /** Keys the table leaves out on purpose: the launcher's own plumbing. */
    static final Set<String> INTERNAL = Set.of("dashboard.jar");

    /** Defaults the table describes in words rather than values. */
    static final Set<String> DESCRIBED = Set.of("kafka.bootstrap", "db.url", "notify.routing-file",
            "notify.dashboard-url", "dashboard.admin-password");

    record Row(List<String> keys, String defaults, String meaning) {}

    static List<Row> table() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("\n## Configuration"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        List<Row> rows = new ArrayList<>();
        for (String line : section.lines().toList()) {
            if (!line.startsWith("| `")) continue;
            String[] cells = line.split("\\|", -1);
            List<String> keys = new ArrayList<>();
            Matcher m = Pattern.compile("`([^`]+)`").matcher(cells[1]);
            while (m.find()) keys.add(m.group(1));
            rows.add(new Row(keys, cells[2].trim(), cells[3].trim()));
        }
        return rows;
    }

    /** Equal as text, or as numbers ({@code 12} and {@code 12.0}). */
    static boolean same(String documented, String code) {
        if (documented.equals(code)) return true;
        try {
            return Double.parseDouble(documented) == Double.parseDouble(code);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Test
    void everySettingIsDocumentedWithTheCodesDefault() throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>(PlatformConfig.defaults());
        INTERNAL.forEach(defaults::remove);
        List<Row> table = table();
        assertThat(table).hasSizeGreaterThan(30);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : defaults.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            Row exact = table.stream().filter(r -> r.keys().contains(key)).findFirst().orElse(null);
            if (exact != null) {
                if (DESCRIBED.contains(key) || exact.defaults().isEmpty()) continue;
                String[] values = exact.defaults().split(",\\s*");
                if (values.length != exact.keys().size()) {
                    problems.add(key + ": the row lists " + exact.keys().size() + " keys and " + values.length
                            + " defaults");
                    continue;
                }
                String documented = values[exact.keys().indexOf(key)].replace("`", "").trim();
                if (!same(documented, value)) problems.add(key + ": README says " + documented + ", code " + value);
                continue;
            }
            // A family row: `prefix.*` with "`suffix` value" pairs in its meaning.
            String prefix = key.substring(0, key.indexOf('.') + 1);
            Row family = table.stream().filter(r -> r.keys().stream().anyMatch(k -> k.equals(prefix + "*")))
                    .findFirst().orElse(null);
            if (family == null) {
                problems.add(key + ": not in the README's configuration table");
                continue;
            }
            String suffix = family.keys().size() > 1 || family.meaning().contains("`" + key + "`")
                    ? key : key.substring(prefix.length());
            Matcher m = Pattern.compile("`" + Pattern.quote(suffix) + "` (\\S+?)(,|$)").matcher(family.meaning());
            if (!m.find()) {
                problems.add(key + ": not in the " + prefix + "* row");
            } else if (!same(m.group(1), value)) {
                problems.add(key + ": README says " + m.group(1) + ", code " + value);
            }
        }
        assertThat(problems).as("README configuration table vs code defaults").isEmpty();
    }
}
