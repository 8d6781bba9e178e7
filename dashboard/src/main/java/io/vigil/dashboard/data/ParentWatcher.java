package io.vigil.dashboard.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * When started by {@code ./vigil demo}, exits as soon as the launcher's process ends, however it ended, so that no
 * orphaned dashboard keeps its port.
 */
@Component
public class ParentWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatcher.class);

    private final long parentPid;
    private final ApplicationContext context;

    public ParentWatcher(@Value("${vigil.parent-pid:0}") long parentPid, ApplicationContext context) {
        this.parentPid = parentPid;
        this.context = context;
    }

    @EventListener(ContextRefreshedEvent.class)
    public void watch() {
        if (parentPid <= 0) {
            return;
        }
        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(this::exit),
                this::exit);
    }

    private void exit() {
        LOG.info("Launcher process {} ended; stopping the dashboard", parentPid);
        System.exit(SpringApplication.exit(context, () -> 0));
    }
}
