package dev.shoestring.job;

import dev.shoestring.tools.EventGenerator;

/** Lets tests in other packages use the analytics expectations of {@link AnalyticsPipelineITCase}. */
public final class AnalyticsTestAccess {
    private AnalyticsTestAccess() {}

    public static void assertWindowsEqual(String run, EventGenerator.Log log) throws Exception {
        AnalyticsPipelineITCase.assertWindowsEqual(run, log);
    }
}
