/**
 * Images, masks and labelled samples as immutable values; datasets with patient-wise selection and splits; <code>DataFormatException</code> for unreadable input.
 */
package io.medseg.data;
