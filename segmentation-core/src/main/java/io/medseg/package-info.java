/**
 * The root of the API: {@link io.medseg.MedsegException}, the checked failure every reader, loader and registry of
 * the library throws when what it was given is not what it must be. The API itself is in the packages below:
 * {@link io.medseg.data} (images, masks, datasets and their readers), {@link io.medseg.model} (U-Net specs),
 * {@link io.medseg.loss}, {@link io.medseg.optim}, {@link io.medseg.transform}, {@link io.medseg.recipe},
 * {@link io.medseg.train}, {@link io.medseg.inference}, {@link io.medseg.postprocess}, {@link io.medseg.metrics},
 * {@link io.medseg.viz}, {@link io.medseg.io} and the backend SPI, {@link io.medseg.backend}.
 */
package io.medseg;
