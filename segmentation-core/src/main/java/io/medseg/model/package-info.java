/**
 * The U-Net spec and its builder (<code>UNet.builder()</code>), activation, upsampling and input-fit choices, per-image intensity <code>Normalization</code>, and <code>InputFitter</code>, which maps images to the network input and back.
 */
package io.medseg.model;
