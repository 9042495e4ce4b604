/**
 * Images, masks and labelled samples as immutable values; datasets with patient-wise selection and splits;
 * <code>DataFormatException</code> for unreadable input; <code>DataSources</code> and <code>DataFormat</code> to
 * detect a dataset's format from its content and load it.
 */
package io.medseg.data;
