package io.vigil.launcher.cluster;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every process {@code ./vigil cluster} starts: runs {@code args[1]}'s main with the remaining
 * arguments, and exits when the launcher (pid {@code args[0]}) is gone, so a launcher killed with -9 leaves no
 * broker, TaskManager or writer behind holding its port.
 */
public final class ChildMain {

    private ChildMain() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ChildMain PARENT_PID MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        long parent = Long.parseLong(args[0]);
        ProcessHandle.of(parent).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> {
                    System.err.println("launcher (pid " + parent + ") is gone: exiting");
                    Runtime.getRuntime().halt(143);
                }),
                () -> Runtime.getRuntime().halt(143));
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
