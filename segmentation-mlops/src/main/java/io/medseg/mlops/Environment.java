package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where something ran: this library's version, the backend, Java and the operating system. Recorded in every
 * training run's provenance and every validation record.
 *
 * @param library {@code "medseg <version>"}
 * @param backend the backend's name, e.g. {@code "tensorflow"}
 * @param backendDescription engine version and device
 * @param cpus processors available to the JVM
 */
public record Environment(String library, String backend,
        @JsonProperty("backend_description") String backendDescription,
        @JsonProperty("java_version") String javaVersion, @JsonProperty("java_vendor") String javaVendor,
        @JsonProperty("java_vm") String javaVm, String os, String arch, int cpus) {

    /** This process's environment, with the given backend. */
    public static Environment current(String backendName, String backendDescription) {
        return new Environment("medseg " + libraryVersion(), backendName, backendDescription,
                System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
    }

    /** This library's version, from the build ({@code "unknown"} when run from unpackaged sources). */
    public static String libraryVersion() {
        return io.medseg.io.BuildInfo.version();
    }
}
