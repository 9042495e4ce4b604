/**
 * Test-only helpers: locating the shared real data sets ({@link io.medseg.testdata.SunnybrookTestData}) and a
 * pure-Java fake model ({@link io.medseg.testdata.FakeSegmentationModel}).
 */
package io.medseg.testdata;
