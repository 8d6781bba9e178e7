package io.vigil.evaluation.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signed-in headless Chromium sessions on the console's overview, coloured by temperature (the worst case: nearly
 * every refresh changes the picture), and what they saw between {@link #mark()} and {@link #measure(double)}: the
 * WebSocket bytes Vaadin pushed, the canvas updates, the browser's time per update (the heatmap times its own
 * decoding and drawing) and the long tasks (over 50 ms) Chromium reports. Used by the dashboard and site benches.
 */
final class ConsoleSessions implements AutoCloseable {

    /** What the sessions saw over a measured interval; per session means, times over all sessions. */
    record Seen(double kbPerSecondPerSession, double updatesPerSecondPerSession, List<Double> updateMs,
                int longTasks) {}

    private final Playwright playwright;
    private final Browser browser;
    private final List<Page> pages = new ArrayList<>();
    private final List<AtomicLong> bytes = new ArrayList<>();
    private long[] framesAtMark = new long[0];
    private long[] bytesAtMark = new long[0];

    private ConsoleSessions(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** Opens {@code sessions} sessions signed in as {@code user}, each waiting until the overview drew a frame. */
    static ConsoleSessions open(String base, String user, String password, int sessions, PrintStream log)
            throws Exception {
        Playwright pw = io.vigil.testsupport.Chromium.playwright();
        ConsoleSessions s = new ConsoleSessions(pw, io.vigil.testsupport.Chromium.launch(pw));
        try {
            for (int i = 0; i < sessions; i++) {
                s.openOne(base, user, password, i + 1, log);
            }
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void openOne(String base, String user, String password, int n, PrintStream log) throws Exception {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1600, 1000));
        context.addInitScript("window.__longTasks = 0; try { new PerformanceObserver(l => "
                + "{ window.__longTasks += l.getEntries().length; }).observe({type: 'longtask', buffered: true}); } catch (e) {}");
        Page page = context.newPage();
        AtomicLong received = new AtomicLong();
        // Vaadin pushes over a WebSocket (Atmosphere); its frames are what a session costs in steady state.
        // (Handlers must not call back into Playwright: they run on its dispatch thread.)
        page.onWebSocket(ws -> ws.onFrameReceived(f -> received.addAndGet(
                f.binary() != null ? f.binary().length : f.text().getBytes(StandardCharsets.UTF_8).length)));
        // Signed in again when the overview sends the browser back to the sign-in page: on a machine this loaded a
        // sign-in has been seen to land before its session took (one of five, once).
        for (int attempt = 1; ; attempt++) {
            page.navigate(base + "/login");
            page.locator("vaadin-login-form input[name='username']").fill(user);
            page.locator("vaadin-login-form input[name='password']").fill(password);
            page.locator("vaadin-login-form vaadin-button").first().click();
            page.waitForURL(u -> !u.contains("/login"), new Page.WaitForURLOptions().setTimeout(60_000));
            page.navigate(base + "/?colour=temperature");
            if (!page.url().contains("/login") || attempt == 3) break;
            log.printf("  session %d: sent back to the sign-in page; signing in again%n", n);
        }
        try {
            page.waitForSelector("#heatmap[data-frames]", new Page.WaitForSelectorOptions().setTimeout(180_000));
        } catch (RuntimeException e) {
            Path shot = Path.of("target", "bench-console-failure.png");
            Files.createDirectories(shot.getParent());
            page.screenshot(new Page.ScreenshotOptions().setPath(shot));
            throw new IllegalStateException("session " + n + " at " + page.url()
                    + " drew no frame in 3 minutes (screenshot " + shot.toAbsolutePath() + ")", e);
        }
        log.printf("  session %d: %s GPUs drawn%n", n, page.locator("#heatmap").getAttribute("data-cells"));
        pages.add(page);
        bytes.add(received);
    }

    int size() {
        return pages.size();
    }

    /** Starts a measured interval: counters noted, the heatmaps' own timings emptied. */
    void mark() {
        framesAtMark = new long[pages.size()];
        bytesAtMark = new long[pages.size()];
        for (int i = 0; i < pages.size(); i++) {
            framesAtMark[i] = frames(pages.get(i));
            bytesAtMark[i] = bytes.get(i).get();
            pages.get(i).evaluate("() => { const m = document.querySelector('#heatmap'); m._drawTimes = []; }");
        }
    }

    /** What the sessions saw since {@link #mark()}, over {@code wallSeconds}. */
    Seen measure(double wallSeconds) {
        double kb = 0, updates = 0;
        List<Double> ms = new ArrayList<>();
        int longTasks = 0;
        for (int i = 0; i < pages.size(); i++) {
            Page p = pages.get(i);
            kb += (bytes.get(i).get() - bytesAtMark[i]) / 1024.0 / wallSeconds;
            updates += (frames(p) - framesAtMark[i]) / wallSeconds;
            for (Object v : (List<?>) p.evaluate("() => document.querySelector('#heatmap')._drawTimes")) {
                ms.add(((Number) v).doubleValue());
            }
            longTasks += ((Number) p.evaluate("() => window.__longTasks")).intValue();
        }
        ms.sort(Double::compare);
        int n = Math.max(1, pages.size());
        return new Seen(kb / n, updates / n, ms, longTasks);
    }

    /** A full-page picture of the first session's overview. */
    void screenshot(Path file) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        pages.get(0).screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
    }

    private static long frames(Page p) {
        Object v = p.evaluate("() => Number(document.querySelector('#heatmap').dataset.frames || 0)");
        return ((Number) v).longValue();
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
