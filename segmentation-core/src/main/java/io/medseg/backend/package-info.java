/**
 * The engine SPI: <code>Backends</code> finds a <code>BackendProvider</code> through <code>ServiceLoader</code>; a <code>Backend</code> creates and loads <code>SegmentationModel</code>s, which train through a <code>TrainingSession</code> and snapshot their weights as <code>ModelState</code>.
 */
package io.medseg.backend;
