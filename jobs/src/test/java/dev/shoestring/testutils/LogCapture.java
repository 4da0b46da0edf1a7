package dev.shoestring.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Keeps the log lines (INFO and above, as the test logging lets them through) written in this
 * JVM while it is open: what an operator reading the job's log would see. Each line is
 * {@code LEVEL logger - message}.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture() {
        super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture open() {
        LogCapture c = new LogCapture();
        c.attach();
        return c;
    }

    private void attach() {
        start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(this, Level.INFO, null);
        ctx.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        Throwable t = event.getThrown();
        lines.add(event.getLevel() + " " + event.getLoggerName() + " - " + event.getMessage().getFormattedMessage()
                + (t == null ? "" : " | " + t));
    }

    public List<String> lines(Predicate<String> filter) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (filter.test(l)) {
                out.add(l);
            }
        }
        return out;
    }

    /** Lines containing every one of {@code parts}. */
    public List<String> containing(String... parts) {
        return lines(l -> {
            for (String p : parts) {
                if (!l.contains(p)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
