package io.medseg.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes TensorFlow's intra-op thread pool to the executor's cores before this JVM's first model: TensorFlow sizes its
 * pools once per process, and the tasks running at once on an executor share the one cached model, so one pool of
 * {@code spark.executor.cores} threads (the {@code N} of {@code local[N]} in local mode) serves them all without
 * oversubscribing the CPU. An explicit {@code -Dmedseg.tf.intraOpThreads} is left as it is.
 */
final class ExecutorThreads {
    static final String PROPERTY = "medseg.tf.intraOpThreads";
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorThreads.class);

    private ExecutorThreads() {
    }

    static synchronized void configure() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        SparkEnv env = SparkEnv.get();
        int cores = env == null ? Runtime.getRuntime().availableProcessors() : cores(env.conf());
        System.setProperty(PROPERTY, Integer.toString(cores));
        LOG.info("TensorFlow intra-op threads: {} (the executor's cores)", cores);
    }

    /** {@code spark.executor.cores}, else the N of a {@code local[N]} master, else this machine's processors. */
    static int cores(SparkConf conf) {
        int available = Runtime.getRuntime().availableProcessors();
        if (conf.contains("spark.executor.cores")) {
            return Math.max(1, conf.getInt("spark.executor.cores", available));
        }
        return localCores(conf.get("spark.master", ""), available);
    }

    static int localCores(String master, int available) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
        if (m.matches()) {
            return m.group(1).equals("*") ? available : Math.max(1, Integer.parseInt(m.group(1)));
        }
        return master.equals("local") ? 1 : available;
    }
}
