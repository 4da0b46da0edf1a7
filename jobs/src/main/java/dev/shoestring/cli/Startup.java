package dev.shoestring.cli;

/** Start-up steps against services that may still be starting: retried, and reported. */
final class Startup {
    static final int ATTEMPTS = 10;

    interface Step {
        void run() throws Exception;
    }

    private Startup() {}

    /** Every preflight step of these outputs, each retried while its service starts. */
    static void preflight(dev.shoestring.config.ShoestringConfig cfg,
            java.util.Set<dev.shoestring.job.ShoestringJob.Output> outputs) throws Exception {
        for (dev.shoestring.job.Preflight.Step step : dev.shoestring.job.Preflight.steps(cfg, outputs)) {
            retry(step.name, step.action::run);
        }
    }

    static void retry(String what, Step step) throws Exception {
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (dev.shoestring.config.ConfigException e) {
                throw e; // a wrong setting does not get better by waiting
            } catch (Exception e) {
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException(what + ": giving up after " + attempt + " attempts: " + e.getMessage(), e);
                }
                System.err.printf("shoestring: %s not ready (attempt %d/%d): %s; retrying in %d ms%n",
                        what, attempt, ATTEMPTS, e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(8000, backoff * 2);
            }
        }
    }
}
