package dev.shoestring.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The results' PNG plots (JFreeChart, headless). */
final class Plots {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** Events/s over time per run: name -> points {seconds, events/s}; optional vertical markers (name -> seconds). */
    static void throughput(Path file, Map<String, List<double[]>> runs, Map<String, Double> markers) throws IOException {
        XYSeriesCollection ds = new XYSeriesCollection();
        runs.forEach((name, points) -> {
            XYSeries s = new XYSeries(name, false, true);
            for (double[] p : points) {
                // a step per interval: two points, the second at the next one's x
                s.add(p[0], p[1]);
            }
            ds.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Throughput over time (committed offsets, one step per checkpoint)",
                "seconds since the job was submitted", "events/s", ds, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        style(plot, false);
        markers.forEach((label, x) -> {
            ValueMarker m = new ValueMarker(x, Color.RED, new BasicStroke(1.5f));
            m.setLabel(label);
            plot.addDomainMarker(m);
        });
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** Cumulative distribution of latencies: x latency (ms, log), y percentile of probes. */
    static void latencyCdf(Path file, List<Freshness.Latency> latencies, double rate) throws IOException {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (Freshness.Latency l : latencies) {
            XYSeries s = new XYSeries(l.name() + " (p99 " + Math.round(l.p99Millis()) + " ms)", false, true);
            Histogram h = l.micros();
            if (h.getTotalCount() == 0) {
                continue;
            }
            for (double p = 0; p <= 100.0001; p += p < 90 ? 1 : 0.1) {
                s.add(Math.max(0.1, h.getValueAtPercentile(Math.min(p, 100)) / 1000.0), Math.min(p, 100));
            }
            ds.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(String.format(java.util.Locale.ROOT,
                        "Freshness: produce to visible, at %.0f events/s (half the sustained rate)", rate),
                "latency (ms, log scale)", "percentile of probes", ds, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = decades("latency (ms, log scale)", 0.1);
        plot.setDomainAxis(x);
        style(plot, false);
        ValueMarker target = new ValueMarker(1500, Color.RED, new BasicStroke(1.5f));
        target.setLabel("target p99 1.5 s");
        plot.addDomainMarker(target);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** Throughput (left axis) and memory (right axis, MiB) against aggregates (log). */
    static void scale(Path file, List<Scale.Point> points) throws IOException {
        XYSeries rate = new XYSeries("throughput (events/s)");
        XYSeries used = new XYSeries("heap used, peak (MiB)");
        XYSeries afterGc = new XYSeries("heap after GC, peak (MiB)");
        XYSeries rss = new XYSeries("process RSS, peak (MiB)");
        for (Scale.Point p : points) {
            rate.add(p.aggregates(), p.eventsPerSecond());
            used.add(p.aggregates(), p.heapUsedPeak() / 1048576.0);
            afterGc.add(p.aggregates(), p.heapAfterGcPeak() / 1048576.0);
            rss.add(p.aggregates(), p.vmHwm() / 1048576.0);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Scale: full pipeline against aggregates in state (RocksDB)",
                "aggregates (log scale)", "events/s", new XYSeriesCollection(rate), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = decades("aggregates (log scale)", 1000);
        plot.setDomainAxis(x);
        XYSeriesCollection mem = new XYSeriesCollection();
        mem.addSeries(used);
        mem.addSeries(afterGc);
        mem.addSeries(rss);
        plot.setDataset(1, mem);
        plot.setRangeAxis(1, new NumberAxis("MiB"));
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer memRenderer = new XYLineAndShapeRenderer(true, true);
        memRenderer.setDefaultStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        memRenderer.setAutoPopulateSeriesStroke(false);
        for (int i = 0; i < 3; i++) {
            memRenderer.setSeriesPaint(i, PALETTE[i + 1]);
        }
        plot.setRenderer(1, memRenderer);
        style(plot, true);
        ValueMarker limit = new ValueMarker(2048, Color.RED, new BasicStroke(1f));
        limit.setLabel("2 GiB");
        plot.addRangeMarker(1, limit, org.jfree.chart.ui.Layer.FOREGROUND);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** A log axis ticked once per decade, labelled with plain numbers. */
    private static LogAxis decades(String label, double smallest) {
        LogAxis x = new LogAxis(label);
        x.setSmallestValue(smallest);
        x.setTickUnit(new NumberTickUnit(1));
        x.setNumberFormatOverride(new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        return x;
    }

    private static final Color[] PALETTE = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf)};

    private static void style(XYPlot plot, boolean shapes) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, shapes);
        r.setDefaultStroke(new BasicStroke(2f));
        r.setAutoPopulateSeriesStroke(false);
        for (int i = 0; i < PALETTE.length; i++) {
            r.setSeriesPaint(i, PALETTE[i]);
        }
        plot.setRenderer(0, r);
    }
}
