package io.vigil.notify.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.NotificationAttempt;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import io.vigil.notify.incident.Notification;
import io.vigil.testsupport.ReceiverStub;
import io.vigil.notify.routing.ReceiverSpec;
import io.vigil.notify.routing.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dispatcher against a local stand-in receiver: retries, Retry-After, final refusals and order. */
class DispatcherTest {

    ReceiverStub receiver;
    Dispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        receiver = new ReceiverStub();
        dispatcher = new Dispatcher(new DeliveryConfig(Duration.ofMillis(20), Duration.ofMillis(200),
                Duration.ofMillis(1500), Duration.ofSeconds(2)));
        dispatcher.open(null);
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        receiver.close();
    }

    Notification notification(Action action) {
        return new Notification("n-" + action, new ReceiverSpec.Webhook("hook", "webhook[0]", receiver.url() + "/hook",
                SecretRef.none()), action, null, PayloadsTest.view(action == Action.RESOLVE, 0, "hot"),
                System.currentTimeMillis());
    }

    CompletableFuture<List<NotificationAttempt>> send(Notification n) {
        CompletableFuture<List<NotificationAttempt>> f = new CompletableFuture<>();
        dispatcher.asyncInvoke(n, new ResultFuture<>() {
            @Override
            public void complete(Collection<NotificationAttempt> result) {
                f.complete(new ArrayList<>(result));
            }

            @Override
            public void completeExceptionally(Throwable error) {
                f.completeExceptionally(error);
            }

            @Override
            public void complete(CollectionSupplier<NotificationAttempt> supplier) {
                try {
                    f.complete(new ArrayList<>(supplier.get()));
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            }
        });
        return f;
    }

    @Test
    void aFailingReceiverIsRetriedUntilItAcceptsAndEveryTryIsReported() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() <= 3 ? new ReceiverStub.Answer(503, Map.of())
                : ReceiverStub.Answer.ok());
        List<NotificationAttempt> attempts = send(notification(Action.TRIGGER)).get(10, TimeUnit.SECONDS);
        assertThat(attempts).extracting(NotificationAttempt::outcome)
                .containsExactly(Outcome.RETRYING, Outcome.RETRYING, Outcome.RETRYING, Outcome.DELIVERED);
        assertThat(attempts).extracting(NotificationAttempt::attempt).containsExactly(1, 2, 3, 4);
        assertThat(attempts.get(0).error()).contains("HTTP 503");
        assertThat(receiver.requests()).extracting(r -> r.header(Payloads.NOTIFICATION_ID_HEADER)).containsOnly("n-TRIGGER");
    }

    @Test
    void a429IsRetriedNoSoonerThanItsRetryAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() == 1 ? new ReceiverStub.Answer(429, Map.of("Retry-After", "1"))
                : ReceiverStub.Answer.ok());
        List<NotificationAttempt> attempts = send(notification(Action.TRIGGER)).get(10, TimeUnit.SECONDS);
        assertThat(attempts).extracting(NotificationAttempt::outcome).containsExactly(Outcome.RETRYING, Outcome.DELIVERED);
        List<ReceiverStub.Request> requests = receiver.requests();
        assertThat(requests.get(1).atMs() - requests.get(0).atMs()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void aRefusalIsFinalAndATriggerGivesUpButAResolutionNever() throws Exception {
        receiver.answer(r -> new ReceiverStub.Answer(400, Map.of()));
        assertThat(send(notification(Action.TRIGGER)).get(10, TimeUnit.SECONDS))
                .extracting(NotificationAttempt::outcome).containsExactly(Outcome.FAILED);

        receiver.answer(r -> new ReceiverStub.Answer(500, Map.of()));
        List<NotificationAttempt> trigger = send(notification(Action.TRIGGER)).get(10, TimeUnit.SECONDS);
        assertThat(trigger.get(trigger.size() - 1).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(trigger.get(trigger.size() - 1).error()).contains("gave up");

        // The resolution outlives the give-up limit (1.5 s here) and arrives when the receiver is back.
        CompletableFuture<List<NotificationAttempt>> resolve = send(notification(Action.RESOLVE));
        long start = System.currentTimeMillis();
        while (System.currentTimeMillis() - start < 2500) {
            assertThat(resolve).isNotDone();
            Thread.sleep(100);
        }
        receiver.answer(r -> ReceiverStub.Answer.ok());
        List<NotificationAttempt> attempts = resolve.get(10, TimeUnit.SECONDS);
        assertThat(attempts.get(attempts.size() - 1).outcome()).isEqualTo(Outcome.DELIVERED);
    }

    @Test
    void anIncidentsResolutionNeverOvertakesItsTrigger() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() <= 4 ? new ReceiverStub.Answer(503, Map.of())
                : ReceiverStub.Answer.ok());
        CompletableFuture<List<NotificationAttempt>> trigger = send(notification(Action.TRIGGER));
        CompletableFuture<List<NotificationAttempt>> resolve = send(notification(Action.RESOLVE));
        resolve.get(10, TimeUnit.SECONDS);
        assertThat(trigger).isDone();
        List<String> delivered = receiver.requests().stream().map(r -> r.header("X-Vigil-Action")).toList();
        assertThat(delivered.get(delivered.size() - 1)).isEqualTo("resolve");
        assertThat(delivered.subList(0, delivered.size() - 1)).containsOnly("trigger");
    }

    @Test
    void aReceiverThatIsDownIsRetriedLikeAnyOutage() throws Exception {
        String url = receiver.url();
        receiver.close();
        Notification n = new Notification("n", new ReceiverSpec.Webhook("hook", "webhook[0]", url + "/hook",
                SecretRef.none()), Action.TRIGGER, null, PayloadsTest.view(false, 0, "hot"), System.currentTimeMillis());
        List<NotificationAttempt> attempts = send(n).get(10, TimeUnit.SECONDS);
        assertThat(attempts.get(0).outcome()).isEqualTo(Outcome.RETRYING);
        assertThat(attempts.get(0).error()).contains("ConnectException").doesNotContain(url);
        assertThat(attempts.get(attempts.size() - 1).outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void retryAfterIsReadInBothFormsAndIsAFloorUpToTheLongestBackoff() {
        long now = java.time.ZonedDateTime.parse("Mon, 07 Dec 2026 03:00:00 GMT",
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        assertThat(Dispatcher.retryAfterMs("120", now)).isEqualTo(120_000L);
        assertThat(Dispatcher.retryAfterMs("Mon, 07 Dec 2026 03:00:30 GMT", now)).isEqualTo(30_000L);
        assertThat(Dispatcher.retryAfterMs("Mon, 07 Dec 2026 02:59:00 GMT", now)).as("in the past").isZero();
        assertThat(Dispatcher.retryAfterMs("soon", now)).isNull();
        assertThat(Dispatcher.retryAfterMs("-5", now)).isNull();
        // The floor: at least what was asked, beyond the backoff's own cap (here 200 ms).
        assertThat(dispatcher.backoff(1, "1", now)).isGreaterThanOrEqualTo(1000);
        assertThat(dispatcher.backoff(1, "Mon, 07 Dec 2026 03:00:02 GMT", now)).isGreaterThanOrEqualTo(2000);
        assertThat(dispatcher.backoff(1, null, now)).isLessThanOrEqualTo(200);
    }

    Notification toPair(String id, Action action) {
        return new Notification(id, new ReceiverSpec.Alertmanager("am", "alertmanager[0]",
                List.of(receiver.url() + "/dead", receiver.url() + "/live"), Duration.ofMinutes(1)), action, null,
                PayloadsTest.view(false, 0, "hot"), System.currentTimeMillis());
    }

    @Test
    void oneInstanceOfAnAlertmanagerPairDownHoldsNothingBackFromItsTwin() throws Exception {
        receiver.answer(r -> r.path().startsWith("/dead") ? new ReceiverStub.Answer(503, Map.of())
                : ReceiverStub.Answer.ok());
        CompletableFuture<List<NotificationAttempt>> trigger = send(toPair("t-1", Action.TRIGGER));
        CompletableFuture<List<NotificationAttempt>> refresh1 = send(toPair("r-1", Action.REFRESH));
        CompletableFuture<List<NotificationAttempt>> refresh2 = send(toPair("r-2", Action.REFRESH));
        List<NotificationAttempt> t = trigger.get(10, TimeUnit.SECONDS);
        assertThat(t).filteredOn(a -> a.target().endsWith("#1")).extracting(NotificationAttempt::outcome)
                .containsExactly(Outcome.DELIVERED);
        NotificationAttempt gaveUp = t.stream().filter(a -> a.target().endsWith("#0")
                && a.outcome() == Outcome.FAILED).findFirst().orElseThrow();
        // The live instance had the trigger and the newest refresh (the older one, if still queued, superseded there
        // too) before the dead one's trigger was given up (1.5 s of retries): nothing waited behind its twin.
        refresh2.get(10, TimeUnit.SECONDS);
        List<ReceiverStub.Request> live = receiver.requests().stream().filter(r -> r.path().startsWith("/live")).toList();
        assertThat(live).extracting(r -> r.header(Payloads.NOTIFICATION_ID_HEADER)).contains("t-1", "r-2");
        assertThat(live).allSatisfy(r -> assertThat(r.atMs()).isLessThan(gaveUp.at().toEpochMilli()));
        // The dead instance: the older refresh, queued behind the trigger's retries, is superseded by the newer.
        List<NotificationAttempt> r1 = refresh1.get(10, TimeUnit.SECONDS);
        assertThat(r1).filteredOn(a -> a.target().endsWith("#0")).singleElement()
                .satisfies(a -> assertThat(a.error()).contains("superseded"));
    }

    @Test
    void anAlertmanagerBodyIsBuiltWhenItIsSentSoARetriedRefreshIsNotAlreadyExpired() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() <= 3 ? new ReceiverStub.Answer(503, Map.of())
                : ReceiverStub.Answer.ok());
        Notification n = new Notification("r-9", new ReceiverSpec.Alertmanager("am", "alertmanager[0]",
                List.of(receiver.url()), Duration.ofMinutes(1)), Action.REFRESH, null,
                PayloadsTest.view(false, 0, "hot"), System.currentTimeMillis());
        send(n).get(10, TimeUnit.SECONDS);
        List<String> endsAt = receiver.requests().stream().map(r -> r.body().replaceAll(".*\"endsAt\":\"([^\"]+)\".*", "$1"))
                .toList();
        assertThat(endsAt).hasSize(4);
        assertThat(java.time.Instant.parse(endsAt.get(3))).as("each try anew").isAfter(java.time.Instant.parse(endsAt.get(0)));
    }

    @Test
    void aResolutionIsRetriedForItsOwnLongerLimitThenGivenUpAndADeadEndpointHasABoundedBacklog() throws Exception {
        Dispatcher bounded = new Dispatcher(new DeliveryConfig(Duration.ofMillis(20), Duration.ofMillis(200),
                Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(1500), 2));
        bounded.open(null);
        try {
            receiver.answer(r -> r.path().startsWith("/dead") ? new ReceiverStub.Answer(500, Map.of())
                    : ReceiverStub.Answer.ok());
            java.util.function.Function<String, Notification> toDead = id -> new Notification(id,
                    new ReceiverSpec.Webhook("gone", "webhook[0]", receiver.url() + "/dead", SecretRef.none()),
                    Action.RESOLVE, null, PayloadsTest.viewOf(id), System.currentTimeMillis());
            Dispatcher previous = dispatcher;
            dispatcher = bounded;
            CompletableFuture<List<NotificationAttempt>> first = send(toDead.apply("inc-a"));
            CompletableFuture<List<NotificationAttempt>> second = send(toDead.apply("inc-b"));
            // A third incident's resolution for the same dead endpoint: over its backlog of 2, it fails at once.
            List<NotificationAttempt> third = send(toDead.apply("inc-c")).get(1, TimeUnit.SECONDS);
            assertThat(third).singleElement().satisfies(a -> {
                assertThat(a.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(a.error()).contains("backlog full");
            });
            // On-call's figures for the dead endpoint: two in delivery, the oldest waiting, one refused, failing.
            Dispatcher.Endpoint dead = bounded.endpoints().get("gone/webhook[0]");
            assertThat(dead.inFlight()).isEqualTo(2);
            assertThat(dead.failures()).isEqualTo(1);
            assertThat(dead.oldestSeconds(System.currentTimeMillis() + 1000)).isGreaterThanOrEqualTo(1.0);
            for (long until = System.currentTimeMillis() + 5000; !dead.failing() && System.currentTimeMillis() < until; ) {
                Thread.sleep(20); // its first try is answered 500 within milliseconds
            }
            assertThat(dead.failing()).isTrue();
            // Another endpoint is not affected by that backlog.
            List<NotificationAttempt> other = send(new Notification("ok-1", new ReceiverSpec.Webhook("hook",
                    "webhook[0]", receiver.url() + "/hook", SecretRef.none()), Action.TRIGGER, null,
                    PayloadsTest.viewOf("inc-d"), System.currentTimeMillis())).get(5, TimeUnit.SECONDS);
            assertThat(other).extracting(NotificationAttempt::outcome).containsExactly(Outcome.DELIVERED);
            // The resolutions keep trying past the trigger's limit (0.5 s), then give up at theirs (1.5 s).
            List<NotificationAttempt> a = first.get(10, TimeUnit.SECONDS);
            assertThat(a.get(a.size() - 1).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(a.get(a.size() - 1).error()).contains("gave up after 1 s");
            assertThat(a.size()).isGreaterThan(2);
            second.get(10, TimeUnit.SECONDS);
            assertThat(dead.inFlight()).isZero();
            assertThat(dead.oldestSeconds(System.currentTimeMillis())).isZero();
            assertThat(dead.failures()).isEqualTo(3); // the refused one and the two given up
            assertThat(bounded.endpoints().get("hook/webhook[0]").failing()).isFalse();
            dispatcher = previous;
        } finally {
            bounded.close();
        }
    }

    /**
     * Ten incidents to an endpoint that is down: without a breaker each of the ten chains would try on its own, every
     * few hundred ms; with it, once the circuit is open (3 failures here), only one probe at a time reaches the
     * endpoint, and when it is back every waiting notification is delivered and the circuit closes.
     */
    @Test
    void anEndpointThatIsDownGetsOneProbeAtATimeOnceItsCircuitIsOpenAndEverythingWhenItIsBack() throws Exception {
        Dispatcher breaking = new Dispatcher(new DeliveryConfig(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(30), 100, 3));
        breaking.open(null);
        Dispatcher previous = dispatcher;
        dispatcher = breaking;
        try {
            java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean();
            receiver.answer(r -> {
                if (!down.get()) return ReceiverStub.Answer.ok();
                // Slow failures, so that two tries at once would overlap here.
                int now = inside.incrementAndGet();
                if (counting.get()) mostAtOnce.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                return new ReceiverStub.Answer(503, Map.of());
            });
            List<CompletableFuture<List<NotificationAttempt>>> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add(send(new Notification("b-" + i, new ReceiverSpec.Webhook("hook", "webhook[0]",
                        receiver.url() + "/hook", SecretRef.none()), Action.TRIGGER, null,
                        PayloadsTest.viewOf("inc-" + i), System.currentTimeMillis())));
            }
            Dispatcher.Endpoint hook = breaking.endpoints().get("hook/webhook[0]");
            for (long until = System.currentTimeMillis() + 5000;
                 hook.breaker(System.currentTimeMillis()) == Dispatcher.Endpoint.Breaker.CLOSED
                         && System.currentTimeMillis() < until; ) {
                Thread.sleep(5);
            }
            assertThat(hook.breaker(System.currentTimeMillis())).isNotEqualTo(Dispatcher.Endpoint.Breaker.CLOSED);
            Thread.sleep(300); // the tries that were already out when it opened have ended
            int before = receiver.requests().size();
            counting.set(true);
            Thread.sleep(2000);
            counting.set(false);
            int during = receiver.requests().size() - before;
            assertThat(mostAtOnce.get()).as("tries at once at the endpoint while its circuit is open").isEqualTo(1);
            // One probe per pause (100-200 ms, plus the 50 ms answer): at most ~13 in 2 s, where ten chains retrying
            // on their own every 100-200 ms would make ~130.
            assertThat(during).isBetween(1, 20);
            assertThat(sent).allMatch(f -> !f.isDone());
            down.set(false);
            for (CompletableFuture<List<NotificationAttempt>> f : sent) {
                List<NotificationAttempt> attempts = f.get(10, TimeUnit.SECONDS);
                assertThat(attempts.get(attempts.size() - 1).outcome()).isEqualTo(Outcome.DELIVERED);
            }
            assertThat(sent.stream().flatMap(f -> f.join().stream()).map(NotificationAttempt::error))
                    .as("a waiting notification says why it is not tried")
                    .anyMatch(e -> e != null && e.startsWith("not sent: circuit open after"));
            assertThat(hook.breaker(System.currentTimeMillis())).isEqualTo(Dispatcher.Endpoint.Breaker.CLOSED);
            assertThat(hook.failuresInRow()).isZero();
        } finally {
            dispatcher = previous;
            breaking.close();
        }
    }

    @Test
    void anAuthenticatedWebhookGetsItsAuthorizationHeaderOnEveryTry() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() == 1 ? new ReceiverStub.Answer(503, Map.of())
                : ReceiverStub.Answer.ok());
        Notification n = new Notification("auth-1", new ReceiverSpec.Webhook("hook", "webhook[0]",
                receiver.url() + "/hook", SecretRef.none(), new ReceiverSpec.HttpConfig(null, SecretRef.none(), "Bearer",
                new SecretRef("t0ken", null, null), null)), Action.TRIGGER, null, PayloadsTest.view(false, 0, "hot"),
                System.currentTimeMillis());
        send(n).get(10, TimeUnit.SECONDS);
        assertThat(receiver.requests()).hasSize(2)
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer t0ken"));
    }
    /**
     * A webhook on HTTPS with a certificate of the site's own CA (here a self-signed one made by the JDK's keytool):
     * trusted through {@code tls_config.ca_file}, refused without it, and an unreadable CA file is a clear, final
     * failure rather than a retry.
     */
    @Test
    void anHttpsReceiverWithItsOwnCaIsTrustedThroughItsCaFileOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path keytool = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool");
        java.nio.file.Path store = dir.resolve("receiver.p12");
        java.nio.file.Path pem = dir.resolve("ca.pem");
        run(keytool.toString(), "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit");
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "receiver", "-keystore", store.toString(),
                "-storepass", "changeit", "-file", pem.toString());
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverTls));
        AtomicInteger received = new AtomicInteger();
        https.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        https.start();
        try {
            String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/hook";
            java.util.function.Function<String, Notification> to = caFile -> new Notification("tls-" + caFile,
                    new ReceiverSpec.Webhook("hook", "webhook[0]", url, SecretRef.none(),
                            new ReceiverSpec.HttpConfig(null, SecretRef.none(), null, SecretRef.none(), caFile)),
                    Action.TRIGGER, null, PayloadsTest.view(false, 0, "hot"), System.currentTimeMillis());

            assertThat(send(to.apply(pem.toString())).get(10, TimeUnit.SECONDS))
                    .extracting(NotificationAttempt::outcome).containsExactly(Outcome.DELIVERED);
            assertThat(received.get()).isEqualTo(1);

            List<NotificationAttempt> untrusted = send(to.apply(null)).get(10, TimeUnit.SECONDS);
            assertThat(untrusted.get(0).outcome()).isEqualTo(Outcome.RETRYING);
            assertThat(untrusted.get(0).error()).contains("SSLHandshakeException");
            assertThat(untrusted.get(untrusted.size() - 1).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(received.get()).isEqualTo(1);

            List<NotificationAttempt> missing = send(to.apply(dir.resolve("nope.pem").toString()))
                    .get(10, TimeUnit.SECONDS);
            assertThat(missing).singleElement().satisfies(a -> {
                assertThat(a.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(a.error()).startsWith("tls_config.ca_file ").contains("nope.pem", "cannot be read");
            });
        } finally {
            https.stop(0);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
