/**
 * Clean-up of predicted masks: largest connected component and hole filling.
 */
package io.medseg.postprocess;
