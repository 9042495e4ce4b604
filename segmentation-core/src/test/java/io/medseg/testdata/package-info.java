/** Test-only helpers that locate the shared real data sets ({@link io.medseg.testdata.SunnybrookTestData}). */
package io.medseg.testdata;
