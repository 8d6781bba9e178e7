package io.vigil.collectors;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for the collectors' background work, so they never keep the JVM alive on shutdown. */
public final class DaemonThreads {

    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
