package io.vigil.testsupport;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The machine's Chromium (Debian's package) driven by Playwright, headless, for tests and benchmarks. Playwright
 * never downloads a browser here, and Chromium starts without the background connections a closed network refuses.
 */
public final class Chromium {

    private Chromium() {}

    /** Playwright without its browser download. */
    public static Playwright playwright() {
        return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    }

    /** Headless Chromium from {@code -Dvigil.chromium} (default /usr/bin/chromium); a clear error when missing. */
    public static Browser launch(Playwright pw) {
        Path chromium = Path.of(System.getProperty("vigil.chromium", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            throw new IllegalStateException("Chromium not found at " + chromium
                    + " (apt-get install chromium, or set -Dvigil.chromium=PATH); .ci/run installs it");
        }
        return pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    }
}
